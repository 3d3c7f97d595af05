// XXH64 (seed 0), the hash the fork's summaries use (`xxhash.xxh64(text).hexdigest()`), so a rehearsal's
// summary_tasks carry the same kind of values. BigInt keeps the 64-bit arithmetic exact; the inputs are small.

const MASK = (1n << 64n) - 1n;
const P1 = 11400714785074694791n;
const P2 = 14029467366897019727n;
const P3 = 1609587929392839161n;
const P4 = 9650029242287828579n;
const P5 = 2870177450012600261n;

const rotl = (value: bigint, bits: bigint) => ((value << bits) | (value >> (64n - bits))) & MASK;
const mul = (a: bigint, b: bigint) => (a * b) & MASK;

function round(acc: bigint, lane: bigint): bigint {
  return mul(rotl((acc + mul(lane, P2)) & MASK, 31n), P1);
}

function merge(acc: bigint, value: bigint): bigint {
  return ((mul(acc ^ round(0n, value), P1) + P4) & MASK) as bigint;
}

/** The 16-hex-digit XXH64 of a text's UTF-8 bytes, as Python's `xxhash.xxh64(text.encode()).hexdigest()`. */
export function xxh64Hex(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  const length = bytes.length;
  const u64 = (at: number) => bytes.readBigUInt64LE(at);
  const u32 = (at: number) => BigInt(bytes.readUInt32LE(at));
  let at = 0;
  let hash: bigint;
  if (length >= 32) {
    let v1 = (P1 + P2) & MASK;
    let v2 = P2;
    let v3 = 0n;
    let v4 = (MASK + 1n - P1) & MASK;
    for (; at + 32 <= length; at += 32) {
      v1 = round(v1, u64(at));
      v2 = round(v2, u64(at + 8));
      v3 = round(v3, u64(at + 16));
      v4 = round(v4, u64(at + 24));
    }
    hash = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & MASK;
    for (const lane of [v1, v2, v3, v4]) hash = merge(hash, lane);
  } else {
    hash = P5;
  }
  hash = (hash + BigInt(length)) & MASK;
  for (; at + 8 <= length; at += 8) hash = (mul(rotl(hash ^ round(0n, u64(at)), 27n), P1) + P4) & MASK;
  if (at + 4 <= length) {
    hash = (mul(rotl(hash ^ mul(u32(at), P1), 23n), P2) + P3) & MASK;
    at += 4;
  }
  for (; at < length; at += 1) hash = mul(rotl(hash ^ mul(BigInt(bytes[at] ?? 0), P5), 11n), P1);
  hash = mul(hash ^ (hash >> 33n), P2);
  hash = mul(hash ^ (hash >> 29n), P3);
  hash ^= hash >> 32n;
  return hash.toString(16).padStart(16, "0");
}
