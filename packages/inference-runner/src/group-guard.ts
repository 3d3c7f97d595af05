// The leader of a vLLM server's (or lighteval's) process group, between sweval-run and the program. It holds a
// pipe from sweval-run on stdin: when sweval-run dies in any way — SIGKILL, a walltime kill, qdel, a crash — the
// pipe closes and the guard ends its whole group, so no server outlives its job holding a GPU. Otherwise it
// only passes the program's exit on.
// Usage: node group-guard.js <grace ms> <program> [args…]
import { spawn } from "node:child_process";

const [graceText = "10000", file, ...args] = process.argv.slice(2);
if (!file) {
  console.error("group-guard: no program to run");
  process.exit(2);
}
const graceMs = Number(graceText);

// The group gets SIGTERM from sweval-run's stopGroup; the guard outlives the program to pass its exit on.
for (const name of ["SIGTERM", "SIGINT", "SIGHUP", "SIGUSR1", "SIGUSR2"] as const) process.on(name, () => {});

const child = spawn(file, args, { stdio: ["ignore", "inherit", "inherit"] });
child.on("error", (error) => {
  console.error(`group-guard: cannot run ${file}: ${error.message}`);
  process.exit(127);
});
child.on("exit", (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  process.exit(code ?? 1);
});

process.stdin.on("data", () => {});
process.stdin.on("close", endGroup);
process.stdin.on("end", endGroup);
process.stdin.on("error", endGroup);

let ending = false;
/** sweval-run is gone: SIGTERM to the group, SIGKILL to what is left after the grace period. */
function endGroup(): void {
  if (ending) return;
  ending = true;
  console.error("group-guard: sweval-run is gone; stopping its process group");
  signalGroup("SIGTERM");
  // Whatever is left after the grace period (this guard included) is killed.
  setTimeout(() => signalGroup("SIGKILL"), graceMs);
}

function signalGroup(name: NodeJS.Signals): void {
  try {
    process.kill(-process.pid, name);
  } catch {
    // Gone already.
  }
}
