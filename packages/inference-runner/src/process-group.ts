import { type ChildProcess, spawn } from "node:child_process";
import { openSync } from "node:fs";
import { fileURLToPath } from "node:url";

const GUARD = fileURLToPath(new URL("./group-guard.js", import.meta.url));

/**
 * A child started in its own process group, so it can be stopped with everything it started. The group's leader
 * is a small guard holding a pipe from this process: if this process dies without stopping the group (SIGKILL,
 * a walltime kill), the pipe closes and the guard ends the group, so nothing outlives the job.
 */
export interface GroupChild {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnGroup(
  argv: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; logFile?: string; inheritStdio?: boolean },
): GroupChild {
  const [file, ...args] = argv;
  if (!file) throw new Error("empty command");
  const log = options.logFile ? openSync(options.logFile, "a") : null;
  // Both streams go to the log: the legacy `2>&1 > file` sent vLLM's stderr to the job's stdout by mistake.
  const output =
    log !== null ? ([log, log] as const) : options.inheritStdio ? (["inherit", "inherit"] as const) : (["pipe", "pipe"] as const);
  const grace = process.env.SWEVAL_STOP_GRACE_MS ?? "10000";
  const child = spawn(process.execPath, ["--", GUARD, grace, file, ...args], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    // stdin is the lifeline: never written, closed by the kernel when this process dies.
    stdio: ["pipe", ...output],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
    child.on("error", () => resolve({ code: 127, signal: null }));
  });
  return { child, exited };
}

/** SIGTERM to the whole group, SIGKILL after graceMs if anything of it is left (the legacy stop, for the group). */
export async function stopGroup(group: GroupChild, graceMs = Number(process.env.SWEVAL_STOP_GRACE_MS ?? 10_000)): Promise<void> {
  const pid = group.child.pid;
  if (!pid) return;
  signal(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pid)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  signal(pid, "SIGKILL");
  const end = Date.now() + 5_000;
  while (groupAlive(pid) && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 50));
}

export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pgid: number, name: NodeJS.Signals) {
  try {
    process.kill(-pgid, name);
  } catch {
    // Gone already.
  }
}
