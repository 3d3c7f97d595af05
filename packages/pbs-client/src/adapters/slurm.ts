import type { JobState } from "../schema.js";
import { type AccountingInfo, durationSeconds, type QueueInfo, type SchedulerAdapter } from "./types.js";

const TERMINAL = new Set([
  "COMPLETED",
  "FAILED",
  "TIMEOUT",
  "CANCELLED",
  "OUT_OF_MEMORY",
  "NODE_FAIL",
  "PREEMPTED",
  "BOOT_FAIL",
  "DEADLINE",
]);

/** Slurm (sbatch --parsable, squeue, scontrol/sacct -c, scancel). */
export const slurm: SchedulerAdapter = {
  parseSubmitOutput(result) {
    return /^\s*(\d+)(?:;\S+)?\s*$/.exec(result.stdout)?.[1] ?? /Submitted batch job (\d+)/.exec(result.stdout)?.[1] ?? null;
  },
  isTransient(result) {
    return /Unable to contact slurm controller|Socket timed out|Zero Bytes were transmitted|Connection refused|temporarily unavailable|Slurm backup controller in standby/i.test(
      result.stderr + result.stdout,
    );
  },
  async queue(exec) {
    const result = await exec(["squeue", "-h", "-t", "all", "-o", "%i|%T|%M"]);
    if (result.exitCode !== 0) throw new Error(`squeue failed with exit code ${result.exitCode}: ${result.stderr.trim()}`);
    return parseSqueue(result.stdout);
  },
  async accounting(exec, id) {
    const shown = await exec(["scontrol", "-o", "show", "job", id]);
    if (shown.exitCode === 0 && /JobState=/.test(shown.stdout)) {
      const state = /JobState=(\S+)/.exec(shown.stdout)?.[1] ?? "";
      const exit = /ExitCode=(\d+):(\d+)/.exec(shown.stdout);
      return slurmOutcome(state, exit ? Number(exit[1]) : null, exit ? Number(exit[2]) : 0);
    }
    const sacct = await exec(["sacct", "-c", "-P", "-n", "-j", id, "--format=JobID,State,ExitCode"]);
    const line = sacct.stdout.split("\n").find((l) => l.split("|")[0] === id);
    if (!line) return null;
    const [, state = "", code = "0:0"] = line.split("|");
    const [exit, signal] = code.split(":").map(Number);
    return slurmOutcome(state.split(" ")[0] ?? "", exit ?? null, signal ?? 0);
  },
  cancel(exec, id) {
    return exec(["scancel", id]);
  },
};

/** `squeue -h -t all -o '%i|%T|%M'`: terminal states are left to accounting. */
export function parseSqueue(text: string): Map<string, QueueInfo> {
  const jobs = new Map<string, QueueInfo>();
  for (const line of text.split("\n")) {
    const [id, raw = "", elapsed = ""] = line.trim().split("|");
    if (!id || TERMINAL.has(raw)) continue;
    jobs.set(id, { state: slurmQueueState(raw), raw, elapsedSeconds: durationSeconds(elapsed) });
  }
  return jobs;
}

function slurmQueueState(raw: string): JobState {
  if (raw === "PENDING" || raw === "REQUEUED" || raw === "SUSPENDED") return "queued";
  if (raw === "CONFIGURING") return "transferring";
  return "running";
}

function slurmOutcome(state: string, exit: number | null, signal: number): AccountingInfo | null {
  if (state === "TIMEOUT" || state === "DEADLINE") return { outcome: "timeout", exitStatus: exit, reason: `slurm: ${state}` };
  if (state === "CANCELLED") return { outcome: "deleted", exitStatus: exit, reason: "slurm: CANCELLED" };
  if (state === "COMPLETED" && exit === 0) return { outcome: "finished", exitStatus: 0, reason: "slurm: COMPLETED" };
  if (TERMINAL.has(state))
    return { outcome: "error", exitStatus: exit, reason: `slurm: ${state} (exit ${exit}${signal ? `, signal ${signal}` : ""})` };
  return null;
}
