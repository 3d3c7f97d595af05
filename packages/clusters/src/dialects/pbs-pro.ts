import { shellQuote } from "@sweval/core";
import type { JobState } from "../schema.js";
import { durationSeconds } from "../walltime.js";
import { type AccountingInfo, type Dialect, insertAfterCommand, type QueueInfo, type SchedulerControl } from "./types.js";

/** `-W depend=afterany:a:b`: runs once the jobs ended, however they ended. */
function dependOn(argv: readonly string[], after: readonly string[]): string[] {
  return after.length === 0 ? [...argv] : insertAfterCommand(argv, ["-W", `depend=afterany:${after.join(":")}`]);
}

/** PBS Professional (ABCI 3.0): qsub prints `<id>.<server>`; qstat -f -F json; qstat -x for finished jobs. */
export const pbsPro: Dialect = {
  scheduler: "pbs-pro",
  directives: (_job, { cluster }) => ["#PBS -S /bin/bash", ...cluster.jobHeader],
  // <id>.OU / <id>.ER in the -o/-e directory: the names PBS gives them, which the legacy job also tees to live.
  logPaths: (logDir) => ({ stdout: `${logDir}/{jobId}.OU`, stderr: `${logDir}/{jobId}.ER` }),
  // PBS copies -o/-e only when the job ends; as the legacy job (evaluate_lighteval.sh:49-53), append the live
  // output to the same files, so the status board and a person can read a running job.
  liveLogLines: (logDir) => [
    "# PBS writes -o/-e when the job ends; the live output goes to the same files meanwhile, appended (as the legacy job).",
    `exec > >(tee -a ${shellQuote(logDir)}/"\${PBS_JOBID}.OU") 2> >(tee -a ${shellQuote(logDir)}/"\${PBS_JOBID}.ER" >&2)`,
  ],
  submitArgv(job, { cluster, group }, options = {}) {
    const argv = [
      "qsub",
      ...(cluster.group && group ? [cluster.group.flag, group] : []),
      "-q",
      cluster.queue ?? job.resources.nodeKind,
      "-l",
      job.resources.request ?? "select=1",
      "-N",
      job.name,
      "-l",
      `walltime=${job.walltime}`,
      "-o",
      job.logDir,
      "-e",
      job.logDir,
      "--",
      job.script,
    ];
    return dependOn(argv, options.after ?? []);
  },
  withDependencies: dependOn,
  // A PBS reservation is a queue of its own (-q R<id>); V5 passing Grid Engine's -ar to PBS is a legacy bug.
  reservations: false,
  control: {
    parseSubmitOutput: (answer) => /^\s*(\d+(?:\[\])?\.[\w.-]+)\s*$/.exec(answer.stdout)?.[1] ?? null,
    isTransient: (answer) =>
      /cannot connect to server|Connection refused|pbs_iff|Communication failure|server is not responding/i.test(
        answer.stderr + answer.stdout,
      ),
    queueArgv: ["qstat", "-f", "-F", "json"],
    parseQueue: (stdout, _now, options) => parsePbsQstatJson(stdout, options),
    accountingQueries: (id) => [
      {
        argv: ["qstat", "-x", "-f", "-F", "json", id],
        parse: (answer) => (answer.exitCode === 0 ? parsePbsAccounting(answer.stdout, id) : null),
      },
    ],
    cancelArgv: (id) => ["qdel", id],
    bulkAccounting: [{ argv: () => ["qstat", "-x", "-f", "-F", "json"], parse: parsePbsAccountingAll }],
  } satisfies SchedulerControl,
};

interface PbsJob {
  Job_Name?: string;
  ctime?: string;
  job_state?: string;
  Exit_status?: number;
  resources_used?: { walltime?: string };
}

/** Jobs in `qstat -f -F json`; finished ones (F, X) are left to accounting. */
export function parsePbsQstatJson(text: string, options: { ended?: boolean } = {}): Map<string, QueueInfo> {
  const jobs = new Map<string, QueueInfo>();
  const parsed = JSON.parse(text || "{}") as { Jobs?: Record<string, PbsJob> };
  for (const [id, job] of Object.entries(parsed.Jobs ?? {})) {
    const raw = job.job_state ?? "";
    if ((raw === "F" || raw === "X") && !options.ended) continue;
    const submittedAt = job.ctime ? Date.parse(job.ctime) : Number.NaN;
    jobs.set(id, {
      state: pbsState(raw),
      raw,
      elapsedSeconds: job.resources_used?.walltime ? durationSeconds(job.resources_used.walltime) : null,
      name: job.Job_Name ?? null,
      submittedAt: Number.isFinite(submittedAt) ? submittedAt : null,
    });
  }
  return jobs;
}

/** Every finished job in `qstat -x -f -F json`. */
export function parsePbsAccountingAll(text: string): Map<string, AccountingInfo> {
  const jobs = new Map<string, AccountingInfo>();
  for (const id of Object.keys((JSON.parse(text || "{}") as { Jobs?: Record<string, PbsJob> }).Jobs ?? {})) {
    const info = parsePbsAccounting(text, id);
    if (info) jobs.set(id, info);
  }
  return jobs;
}

/** PBS exit codes: -29 walltime exceeded; 271 (256 + SIGTERM) deleted by qdel; other non-zero errors. */
export function parsePbsAccounting(text: string, id: string): AccountingInfo | null {
  const job = (JSON.parse(text) as { Jobs?: Record<string, PbsJob> }).Jobs?.[id];
  if (!job || (job.job_state !== "F" && job.job_state !== "X") || job.Exit_status === undefined) return null;
  const exit = job.Exit_status;
  const elapsedSeconds = job.resources_used?.walltime ? durationSeconds(job.resources_used.walltime) : null;
  return { ...pbsOutcome(exit), exitStatus: exit, elapsedSeconds };
}

function pbsOutcome(exit: number): Pick<AccountingInfo, "outcome" | "reason"> {
  if (exit === -29) return { outcome: "timeout", reason: "pbs: walltime exceeded (Exit_status -29)" };
  if (exit === 271 || exit === 265) return { outcome: "deleted", reason: `pbs: killed (Exit_status ${exit})` };
  if (exit !== 0) return { outcome: "error", reason: `pbs: Exit_status ${exit}` };
  return { outcome: "finished", reason: "pbs: Exit_status 0" };
}

function pbsState(raw: string): JobState {
  if (raw === "T") return "transferring";
  if (raw === "R" || raw === "E" || raw === "B") return "running";
  return "queued";
}
