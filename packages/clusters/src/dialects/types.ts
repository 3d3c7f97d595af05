import type { ClusterFacts, JobState, Scheduler } from "../schema.js";

/** What a scheduler command answered. */
export interface SchedulerAnswer {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A job as the live queue shows it. */
export interface QueueInfo {
  state: JobState;
  /** The scheduler's own code (qw, r, PENDING…), for the board's reason. */
  raw: string;
  elapsedSeconds: number | null;
  /** The job's name, where the queue shows it: how an interrupted submit finds the job it made. */
  name?: string | null;
  /** When the job was submitted (or, where only that is shown, started), ms since the epoch. */
  submittedAt?: number | null;
}

/** What accounting says of a job that left the queue; `finished` means exit 0 (the logs decide the rest). */
export interface AccountingInfo {
  outcome: "finished" | "error" | "timeout" | "deleted";
  exitStatus: number | null;
  reason: string;
  /** How long the job ran (wall clock), when accounting says: what learned walltimes and cost estimates are made of. */
  elapsedSeconds?: number | null;
}

/** What a dialect needs to know of a job to write its directives and submit command. */
export interface JobRequest {
  name: string;
  script: string;
  /** The scheduler writes stdout/stderr here. */
  logDir: string;
  /** HH:MM:SS */
  walltime: string;
  resources: { nodeKind: string; gpus: number; request: string | null };
  priority: number | null;
  /** An advance reservation to run in (V5's AR_ID): Grid Engine `-ar <id>`, Slurm `--reservation=<name>`. */
  reservation?: string | null;
}

/** The cluster facts a submit command uses, and the billing group chosen for it. */
export interface SubmitContext {
  cluster: Pick<ClusterFacts, "group" | "queue" | "partition" | "jobHeader">;
  group: string | null;
}

/** One way to ask accounting about a job; `parse` answers undefined when the next query should be tried. */
export interface AccountingQuery {
  argv: string[];
  parse(answer: SchedulerAnswer): AccountingInfo | null | undefined;
}

/** One command that answers accounting for many jobs at once. */
export interface BulkAccountingQuery {
  argv(ids: string[], user: string): string[];
  parse(stdout: string): Map<string, AccountingInfo>;
  /** The most ids one argv may carry; absent when the command lists every job of the user. */
  chunk?: number;
}

/** How to talk to a scheduler's commands: submit answers, the queue, accounting and cancelling. */
export interface SchedulerControl {
  /** The job id in the scheduler's answer to a successful submit. */
  parseSubmitOutput(answer: SchedulerAnswer): string | null;
  /** True for errors worth retrying (the scheduler is briefly unreachable), never for bad requests. */
  isTransient(answer: SchedulerAnswer): boolean;
  queueArgv: readonly string[];
  /** The live queue; `ended` keeps the jobs that ended but are still listed (left to accounting otherwise). */
  parseQueue(stdout: string, now: number, options?: { ended?: boolean }): Map<string, QueueInfo>;
  /** Where jobs that left the queue are found by name (Grid Engine's accounting), for an interrupted submit. */
  endedByName?: { argv(name: string): string[]; parse(stdout: string): Array<{ id: string; submittedAt: number | null }> };
  accountingQueries(id: string): AccountingQuery[];
  /**
   * Accounting for many jobs in few commands (the board's first look at a long ledger): each query is run for
   * the ids the ones before it did not answer; `chunk` caps how many ids go into one argv.
   */
  bulkAccounting?: BulkAccountingQuery[];
  cancelArgv(id: string): string[];
}

/** Everything sweval knows of one scheduler's language. */
export interface Dialect {
  scheduler: Scheduler;
  /** The directive lines after `#!/bin/bash`, the profile's own jobHeader lines last. */
  directives(job: JobRequest, context: SubmitContext): string[];
  /** Where the scheduler writes a job's output; `{jobId}` stands for the id it assigns. */
  logPaths(logDir: string, name: string): { stdout: string; stderr: string };
  /** The exact submit command, no shell involved; `after` holds job ids that must end first. */
  submitArgv(job: JobRequest, context: SubmitContext, options?: { after?: readonly string[] }): string[];
  /** A submit command made to wait for the jobs `after` (any exit status). */
  withDependencies(argv: readonly string[], after: readonly string[]): string[];
  /** null for the local scheduler, whose jobs sweval itself runs and records. */
  control: SchedulerControl | null;
  /** Whether submitArgv can place a job in an advance reservation. */
  reservations: boolean;
  /** Job-script lines that keep the output the scheduler only writes at the end visible while the job runs. */
  liveLogLines?(logDir: string): string[];
}

/** `[argv0, ...flags, ...rest]`: dependency flags go right after the command, where every dialect accepts them. */
export function insertAfterCommand(argv: readonly string[], flags: readonly string[]): string[] {
  return [argv[0] ?? "", ...flags, ...argv.slice(1)];
}

/** The usual `<logDir>/<name>.o{jobId}` pair (Grid Engine's naming, which Slurm's directives copy). */
export function nameDotJobIdLogs(logDir: string, name: string): { stdout: string; stderr: string } {
  return { stdout: `${logDir}/${name}.o{jobId}`, stderr: `${logDir}/${name}.e{jobId}` };
}
