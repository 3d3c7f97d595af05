/** A secret as people may see it: its prefix and last four characters, e.g. `sk-…abcd`. Short values show nothing. */
export function maskSecret(value: string): string {
  if (value.length < 12) return "…";
  const prefix = /^(sk-or-|sk-|hf_)/.exec(value)?.[0] ?? "";
  return `${prefix}…${value.slice(-4)}`;
}

/** Replaces every occurrence of each secret value in a text with its mask. */
export function redact(text: string, secrets: Iterable<string>): string {
  let result = text;
  for (const secret of secrets) if (secret.length >= 4) result = result.split(secret).join(maskSecret(secret));
  return result;
}
