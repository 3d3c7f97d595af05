import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The vLLM the checkout's lock holds, as `uv run --project` there would serve it: the newest `vllm` package of the
 * first uv.lock among the dirs (V5's lock also holds the older one the lighteval extra pulls in). What the stand-ins
 * take their version's rules from; null without a lock.
 */
export function lockedVllm(dirs: string[]): string | null {
  const lock = dirs.map((dir) => join(dir, "uv.lock")).find((file) => existsSync(file));
  if (!lock) return null;
  const versions = [...readFileSync(lock, "utf8").matchAll(/name = "vllm"\s*\nversion = "([^"]+)"/g)].map((m) => m[1] as string);
  return versions.sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).at(-1) ?? null;
}
