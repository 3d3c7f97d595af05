import type { JobState } from "../schema.js";
import { type AccountingInfo, durationSeconds, type QueueInfo, type SchedulerAdapter } from "./types.js";

/** PBS Professional (ABCI 3.0): qsub prints `<id>.<server>`; qstat -f -F json; qstat -x for finished jobs. */
export const pbsPro: SchedulerAdapter = {
  parseSubmitOutput(result) {
    return /^\s*(\d+(?:\[\])?\.[\w.-]+)\s*$/.exec(result.stdout)?.[1] ?? null;
  },
  isTransient(result) {
    return /cannot connect to server|Connection refused|pbs_iff|Communication failure|server is not responding/i.test(
      result.stderr + result.stdout,
    );
  },
  async queue(exec) {
    const result = await exec(["qstat", "-f", "-F", "json"]);
    if (result.exitCode !== 0) throw new Error(`qstat -f -F json failed with exit code ${result.exitCode}: ${result.stderr.trim()}`);
    return parsePbsQstatJson(result.stdout);
  },
  async accounting(exec, id) {
    const result = await exec(["qstat", "-x", "-f", "-F", "json", id]);
    if (result.exitCode !== 0) return null;
    return parsePbsAccounting(result.stdout, id);
  },
  cancel(exec, id) {
    return exec(["qdel", id]);
  },
};

interface PbsJob {
  job_state?: string;
  Exit_status?: number;
  resources_used?: { walltime?: string };
}

/** Jobs in `qstat -f -F json`; finished ones (F, X) are left to accounting. */
export function parsePbsQstatJson(text: string): Map<string, QueueInfo> {
  const jobs = new Map<string, QueueInfo>();
  const parsed = JSON.parse(text || "{}") as { Jobs?: Record<string, PbsJob> };
  for (const [id, job] of Object.entries(parsed.Jobs ?? {})) {
    const raw = job.job_state ?? "";
    if (raw === "F" || raw === "X") continue;
    jobs.set(id, {
      state: pbsState(raw),
      raw,
      elapsedSeconds: job.resources_used?.walltime ? durationSeconds(job.resources_used.walltime) : null,
    });
  }
  return jobs;
}

/** PBS exit codes: -29 walltime exceeded; 271 (256 + SIGTERM) deleted by qdel; other non-zero errors. */
export function parsePbsAccounting(text: string, id: string): AccountingInfo | null {
  const job = (JSON.parse(text) as { Jobs?: Record<string, PbsJob> }).Jobs?.[id];
  if (!job || (job.job_state !== "F" && job.job_state !== "X") || job.Exit_status === undefined) return null;
  const exit = job.Exit_status;
  if (exit === -29) return { outcome: "timeout", exitStatus: exit, reason: "pbs: walltime exceeded (Exit_status -29)" };
  if (exit === 271 || exit === 265) return { outcome: "deleted", exitStatus: exit, reason: `pbs: killed (Exit_status ${exit})` };
  if (exit !== 0) return { outcome: "error", exitStatus: exit, reason: `pbs: Exit_status ${exit}` };
  return { outcome: "finished", exitStatus: 0, reason: "pbs: Exit_status 0" };
}

function pbsState(raw: string): JobState {
  if (raw === "T") return "transferring";
  if (raw === "R" || raw === "E" || raw === "B") return "running";
  return "queued";
}
