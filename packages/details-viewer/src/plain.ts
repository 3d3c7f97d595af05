/** bigint → number (string beyond 2^53), typed arrays → arrays, dates → ISO strings, recursively: what JSON can hold. */
export function plain(value: unknown): unknown {
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<unknown>, plain);
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/** `plain` for one decoded leaf value, with the common cases (text, numbers) first. */
export function plainLeaf(value: unknown): unknown {
  return typeof value === "string" || typeof value === "number" || value === null || value === undefined ? value : plain(value);
}
