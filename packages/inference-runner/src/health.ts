import { createServer } from "node:net";
import type { GroupChild } from "./process-group.js";

/** A free TCP port: bind 0 and read what the kernel gave (the legacy bind-0 trick). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface WaitForHealthOptions {
  url: string;
  server: GroupChild;
  /** Overall deadline. @default 3_600_000 */
  deadlineMs?: number;
  /** Each probe's own timeout. @default 5_000 */
  probeTimeoutMs?: number;
  /** @default 1_000 */
  intervalMs?: number;
}

/** Polls GET /health until 200; fails fast if the server process dies. Returns the seconds it took. */
export async function waitForHealth(
  options: WaitForHealthOptions,
): Promise<{ ok: true; seconds: number } | { ok: false; reason: "died" | "deadline"; detail: string }> {
  const start = Date.now();
  const deadline = start + (options.deadlineMs ?? 3_600_000);
  let died: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  void options.server.exited.then((result) => {
    died = result;
  });
  while (Date.now() < deadline) {
    if (died)
      return { ok: false, reason: "died", detail: `exit ${(died as { code: number | null }).code ?? (died as { signal: string }).signal}` };
    try {
      const response = await fetch(options.url, { signal: AbortSignal.timeout(options.probeTimeoutMs ?? 5_000) });
      if (response.ok) return { ok: true, seconds: Math.round((Date.now() - start) / 1000) };
    } catch {
      // Not up yet.
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1_000));
  }
  return {
    ok: false,
    reason: "deadline",
    detail: `no answer from ${options.url} in ${Math.round((options.deadlineMs ?? 3_600_000) / 1000)} s`,
  };
}
