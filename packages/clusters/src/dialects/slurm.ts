import type { JobState } from "../schema.js";
import { durationSeconds } from "../walltime.js";
import { type AccountingInfo, type Dialect, insertAfterCommand, nameDotJobIdLogs, type QueueInfo, type SchedulerControl } from "./types.js";

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

/** `--dependency=afterany:a:b`: runs once the jobs ended, however they ended. */
function dependOn(argv: readonly string[], after: readonly string[]): string[] {
  return after.length === 0 ? [...argv] : insertAfterCommand(argv, [`--dependency=afterany:${after.join(":")}`]);
}

/** Slurm (sbatch --parsable, squeue, scontrol/sacct -c, scancel). Everything but dependencies is in #SBATCH lines. */
export const slurm: Dialect = {
  scheduler: "slurm",
  directives(job, { cluster }) {
    const header = [
      `#SBATCH --job-name=${job.name}`,
      `#SBATCH --time=${job.walltime}`,
      "#SBATCH --nodes=1",
      `#SBATCH --output=${job.logDir}/%x.o%j`,
      `#SBATCH --error=${job.logDir}/%x.e%j`,
    ];
    if (job.resources.request) header.push(`#SBATCH --gres=${job.resources.request}`);
    if (cluster.partition) header.push(`#SBATCH --partition=${cluster.partition}`);
    return [...header, ...cluster.jobHeader];
  },
  logPaths: nameDotJobIdLogs,
  submitArgv: (job, _context, options = {}) =>
    dependOn(["sbatch", "--parsable", ...(job.reservation ? [`--reservation=${job.reservation}`] : []), job.script], options.after ?? []),
  withDependencies: dependOn,
  reservations: true,
  control: {
    parseSubmitOutput: (answer) =>
      /^\s*(\d+)(?:;\S+)?\s*$/.exec(answer.stdout)?.[1] ?? /Submitted batch job (\d+)/.exec(answer.stdout)?.[1] ?? null,
    isTransient: (answer) =>
      /Unable to contact slurm controller|Socket timed out|Zero Bytes were transmitted|Connection refused|temporarily unavailable|Slurm backup controller in standby/i.test(
        answer.stderr + answer.stdout,
      ),
    queueArgv: ["squeue", "-h", "-t", "all", "-o", "%i|%T|%M|%j|%V"],
    parseQueue: (stdout, _now, options) => parseSqueue(stdout, options),
    // scontrol knows a job for MinJobAge after it ends; sacct (when accounting is kept) afterwards.
    accountingQueries: (id) => [
      {
        argv: ["scontrol", "-o", "show", "job", id],
        parse: (answer) => (answer.exitCode === 0 ? parseScontrolJob(answer.stdout) : undefined),
      },
      {
        argv: ["sacct", "-c", "-P", "-n", "-j", id, "--format=JobID,State,ExitCode,ElapsedRaw"],
        parse: (answer) => parseSacct(answer.stdout, id),
      },
    ],
    cancelArgv: (id) => ["scancel", id],
    bulkAccounting: [
      // Every job the controller still knows (MinJobAge), then accounting for the rest, a few hundred ids a call.
      { argv: () => ["scontrol", "-o", "show", "job"], parse: parseScontrolJobs },
      {
        argv: (ids) => ["sacct", "-c", "-P", "-n", "-X", "-j", ids.join(","), "--format=JobID,State,ExitCode,ElapsedRaw"],
        parse: parseSacctAll,
        chunk: 200,
      },
    ],
  } satisfies SchedulerControl,
};

/** `squeue -h -t all -o '%i|%T|%M|%j|%V'` (id, state, elapsed, name, submit time): terminal states are left to accounting. */
export function parseSqueue(text: string, options: { ended?: boolean } = {}): Map<string, QueueInfo> {
  const jobs = new Map<string, QueueInfo>();
  for (const line of text.split("\n")) {
    const [id, raw = "", elapsed = "", name, submitted] = line.trim().split("|");
    if (!id || (TERMINAL.has(raw) && !options.ended)) continue;
    const submittedAt = submitted ? Date.parse(submitted) : Number.NaN;
    jobs.set(id, {
      state: slurmQueueState(raw),
      raw,
      elapsedSeconds: durationSeconds(elapsed),
      name: name ?? null,
      submittedAt: Number.isFinite(submittedAt) ? submittedAt : null,
    });
  }
  return jobs;
}

/** `scontrol -o show job ID`; undefined when it does not know the job (any more). */
export function parseScontrolJob(text: string): AccountingInfo | null | undefined {
  const state = /JobState=(\S+)/.exec(text)?.[1];
  if (!state) return undefined;
  const exit = /ExitCode=(\d+):(\d+)/.exec(text);
  const info = slurmOutcome(state, exit ? Number(exit[1]) : null, exit ? Number(exit[2]) : 0);
  const runTime = /RunTime=(\S+)/.exec(text)?.[1];
  return info && { ...info, elapsedSeconds: runTime ? durationSeconds(runTime) : null };
}

/** `scontrol -o show job`: one line per job the controller knows. */
export function parseScontrolJobs(text: string): Map<string, AccountingInfo> {
  const jobs = new Map<string, AccountingInfo>();
  for (const line of text.split("\n")) {
    const id = /^JobId=(\d+)/.exec(line)?.[1];
    const info = id ? parseScontrolJob(line) : undefined;
    if (id && info) jobs.set(id, info);
  }
  return jobs;
}

/** `sacct -c -P -n -X -j A,B,… --format=JobID,State,ExitCode,ElapsedRaw`: one line per job. */
export function parseSacctAll(text: string): Map<string, AccountingInfo> {
  const jobs = new Map<string, AccountingInfo>();
  for (const line of text.split("\n")) {
    const id = line.split("|")[0];
    const info = id ? parseSacct(line, id) : null;
    if (id && info) jobs.set(id, info);
  }
  return jobs;
}

/** `sacct -c -P -n -j ID --format=JobID,State,ExitCode,ElapsedRaw`: the job's own line, not its steps'. */
export function parseSacct(text: string, id: string): AccountingInfo | null {
  const line = text.split("\n").find((l) => l.split("|")[0] === id);
  if (!line) return null;
  const [, state = "", code = "0:0", elapsed = ""] = line.split("|");
  const [exit, signal] = code.split(":").map(Number);
  const info = slurmOutcome(state.split(" ")[0] ?? "", exit ?? null, signal ?? 0);
  return info && { ...info, elapsedSeconds: /^\d+$/.test(elapsed) ? Number(elapsed) : null };
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
