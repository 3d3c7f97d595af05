import { existsSync, mkdirSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { dialectFor } from "@sweval/clusters";
import { InputError, shellQuote, WorkError } from "@sweval/core";
import type { Job, JobsManifest } from "@sweval/job-renderer/schema";
import { adapterFor } from "./adapters/index.js";
import { createLocalScheduler } from "./adapters/local.js";
import type { SchedulerAdapter } from "./adapters/types.js";
import { ACTIVE_OR_DONE, ACTIVE_STATES, buildBoard, type CellKey, cellId } from "./board.js";
import type { Exec, ExecResult } from "./exec.js";
import { appendLedger, readLedger, withLedgerLock } from "./ledger.js";
import { LEDGER_KIND, LEDGER_VERSION, type LedgerEntry, type StatusCell, type SubmitOutcome } from "./schema.js";

export type { SubmitOutcome };

export interface SubmitOptions {
  manifest: JobsManifest;
  exec: Exec;
  /** Overrides each job's ledger path. */
  ledger?: string | null;
  /** Submit even the tasks that are queued, running or done. @default false */
  force?: boolean;
  /** Print what would run; submit nothing, write nothing. @default false */
  dryRun?: boolean;
  /** Submissions in flight at once. @default 4 */
  parallel?: number;
  /** Retries of a transient scheduler error (and only of those). @default 3 */
  retries?: number;
  /** First backoff; doubled each retry. @default 1000 */
  backoffMs?: number;
  localStateDir: string;
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
}

/**
 * Submits a manifest's jobs in dependency order (a job after the jobs it lists in `after`, waiting on their
 * scheduler ids), recording every job id in the ledger kept with the results. Tasks already queued, running
 * or done are skipped unless forced. Transient scheduler errors are retried with backoff; other refusals fail
 * that job (and the jobs that run after it) only. Bad input (a missing script) fails before anything is submitted.
 */
export async function submitJobs(options: SubmitOptions): Promise<SubmitOutcome[]> {
  checkScripts(options.manifest);
  const outcomes = new Map<string, SubmitOutcome>();
  for (const [ledger, jobs] of jobsByLedger(options)) {
    const run = () => submitToLedger(ledger, jobs, options, outcomes);
    if (options.dryRun) await run();
    else await withLedgerLock(ledger, run);
  }
  return options.manifest.jobs.flatMap((job) => outcomes.get(job.id) ?? []);
}

/** The ledger a job is recorded in: --ledger, $SWEVAL_LEDGER, the manifest's, else <REPO_PATH or cwd>/results/.sweval/ledger.jsonl. */
export function ledgerPath(
  explicit: string | null | undefined,
  job: Pick<Job, "ledger"> | null,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): string {
  return explicit || env.SWEVAL_LEDGER || job?.ledger || join(env.REPO_PATH || cwd, "results", ".sweval", "ledger.jsonl");
}

/** One submission with retries on transient errors; returns the scheduler's job id. `after` holds scheduler ids. */
export async function submitOne(
  job: Job,
  scheduler: JobsManifest["scheduler"],
  after: string[],
  options: Pick<SubmitOptions, "exec" | "env" | "localStateDir" | "retries" | "backoffMs" | "log">,
): Promise<string> {
  if (scheduler === "local") {
    return createLocalScheduler({ stateDir: options.localStateDir, env: options.env }).submit({
      name: job.name,
      script: job.script,
      stdout: job.stdout,
      stderr: job.stderr,
      walltimeSeconds: job.walltimeSeconds,
      gpus: job.resources.gpus,
      after,
    });
  }
  const adapter = adapterFor(scheduler, options.localStateDir);
  const argv = dialectFor(scheduler).withDependencies(job.submit.argv, after);
  const retries = options.retries ?? 3;
  let delay = options.backoffMs ?? 1000;
  for (let attempt = 0; ; attempt++) {
    const result = await options.exec(argv, { env: options.env });
    const jobId = result.exitCode === 0 ? adapter.parseSubmitOutput(result) : null;
    if (jobId) return jobId;
    if (result.exitCode === 0)
      throw new WorkError(`could not find a job id in the answer of ${argv[0]}: ${result.stdout.trim().slice(0, 200)}`, {
        code: "E_SUBMIT",
      });
    if (!adapter.isTransient(result) || attempt >= retries) throw submitError(argv, result, adapter, attempt);
    options.log?.(`${job.name}: the scheduler is not answering (${lastLines(result)}); retry ${attempt + 1}/${retries} in ${delay} ms`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay *= 2;
  }
}

/** The ledger line of a submission: the job as the manifest described it, and the command actually run. */
export function submittedEntry(
  job: Job,
  jobId: string,
  manifest: Pick<JobsManifest, "scheduler" | "cluster">,
  argv: string[],
): LedgerEntry {
  return {
    kind: LEDGER_KIND,
    version: LEDGER_VERSION,
    event: "submitted",
    at: new Date().toISOString(),
    jobId,
    user: safeUser(),
    scheduler: manifest.scheduler,
    cluster: manifest.cluster,
    argv,
    job,
  };
}

// --- internal ---

function checkScripts(manifest: JobsManifest): void {
  for (const job of manifest.jobs) {
    if (!existsSync(job.script))
      throw new InputError("job script no longer exists; re-render the jobs", { code: "E_NO_SCRIPT", file: job.script, field: job.name });
  }
}

function jobsByLedger(options: SubmitOptions): Map<string, Job[]> {
  const byLedger = new Map<string, Job[]>();
  for (const job of options.manifest.jobs) {
    const ledger = ledgerPath(options.ledger, job, options.env);
    byLedger.set(ledger, [...(byLedger.get(ledger) ?? []), job]);
  }
  return byLedger;
}

function outcome(job: Job, status: SubmitOutcome["status"], extra: Partial<SubmitOutcome> = {}): SubmitOutcome {
  return { job: job.name, model: job.model, tasks: job.tasks, status, argv: job.submit.argv, ...extra };
}

/** How a job of this run was decided, for the jobs that run after it. */
interface Decided {
  /** new: submitted now (or would be); existing: already queued, running or done; failed: not submitted. */
  kind: "new" | "existing" | "failed";
  /** The scheduler id a dependent waits on; null when there is nothing to wait for. */
  waitId: string | null;
}

/** What the jobs of one ledger came to; `outcomes` is keyed by manifest job id. */
async function submitToLedger(ledger: string, jobs: Job[], options: SubmitOptions, outcomes: Map<string, SubmitOutcome>): Promise<void> {
  const { entries, warnings } = readLedger(ledger);
  for (const warning of warnings) options.log?.(`warning: ${warning}`);
  const busy = options.force ? new Map<string, StatusCell>() : await busyCells(entries, options);
  const decided = new Map<string, Decided>();
  for (const wave of dependencyWaves(jobs)) {
    await pool(wave, options.parallel ?? 4, async (job) => {
      const [result, decision] = await submitInTurn(job, busy, decided, ledger, options);
      decided.set(job.id, decision);
      outcomes.set(job.id, result);
    });
  }
}

/**
 * Decides one job once the jobs it runs after were decided. A job whose dependencies were submitted now runs
 * again even if its own cell is done (an aggregation after new results); one whose dependency failed fails.
 */
async function submitInTurn(
  job: Job,
  busy: Map<string, StatusCell>,
  decided: Map<string, Decided>,
  ledger: string,
  options: SubmitOptions,
): Promise<[SubmitOutcome, Decided]> {
  const dependencies = job.after.flatMap((id) => decided.get(id) ?? []);
  const failed = job.after.filter((id) => decided.get(id)?.kind === "failed");
  if (failed.length > 0)
    return [
      outcome(job, "failed", { reason: `runs after ${failed.join(", ")}, which was not submitted` }),
      { kind: "failed", waitId: null },
    ];
  const blocking = dependencies.some((d) => d.kind === "new")
    ? undefined
    : job.tasks.map((task) => busy.get(cellId(cellOf(job, task)))).find(Boolean);
  if (blocking) {
    const active = ACTIVE_STATES.has(blocking.state);
    return [
      outcome(job, "skipped", { reason: `${blocking.state} as job ${blocking.jobId}`, jobId: blocking.jobId ?? undefined }),
      { kind: "existing", waitId: active ? blocking.jobId : null },
    ];
  }
  const after = dependencies.flatMap((d) => d.waitId ?? []);
  const argv = dialectFor(options.manifest.scheduler).withDependencies(job.submit.argv, after);
  if (options.dryRun) return [outcome(job, "would-submit", { argv }), { kind: "new", waitId: `<${job.name}>` }];
  try {
    mkdirSync(job.logDir, { recursive: true });
    const jobId = await submitOne(job, options.manifest.scheduler, after, options);
    appendLedger(ledger, [submittedEntry(job, jobId, options.manifest, argv)]);
    options.log?.(`submitted ${job.name} (${job.model}) as job ${jobId}${after.length > 0 ? `, after ${after.join(", ")}` : ""}`);
    return [outcome(job, "submitted", { jobId, argv }), { kind: "new", waitId: jobId }];
  } catch (error) {
    if (error instanceof InputError) throw error;
    options.log?.(`error: ${job.name}: ${(error as Error).message}`);
    return [outcome(job, "failed", { reason: (error as Error).message, argv }), { kind: "failed", waitId: null }];
  }
}

function cellOf(job: Job, task: string): CellKey {
  return { model: job.model, customSettings: job.customSettings, task };
}

async function busyCells(entries: LedgerEntry[], options: SubmitOptions): Promise<Map<string, StatusCell>> {
  const board = await buildBoard({ entries, exec: options.exec, localStateDir: options.localStateDir });
  return new Map(board.cells.filter((cell) => ACTIVE_OR_DONE.has(cell.state)).map((cell) => [cellId(cell), cell]));
}

/**
 * The jobs in waves: each wave's jobs run after jobs of earlier waves only, so a wave can be submitted in
 * parallel. Dependencies outside these jobs were checked by the manifest's schema.
 */
export function dependencyWaves(jobs: Job[]): Job[][] {
  const ids = new Set(jobs.map((job) => job.id));
  const placed = new Set<string>();
  const waves: Job[][] = [];
  let rest = jobs;
  while (rest.length > 0) {
    const wave = rest.filter((job) => job.after.every((id) => placed.has(id) || !ids.has(id)));
    if (wave.length === 0) throw new InputError(`the jobs ${rest.map((job) => job.id).join(", ")} wait on each other`, { code: "E_CYCLE" });
    for (const job of wave) placed.add(job.id);
    waves.push(wave);
    rest = rest.filter((job) => !placed.has(job.id));
  }
  return waves;
}

function submitError(argv: string[], result: ExecResult, adapter: SchedulerAdapter, attempt: number): WorkError {
  const transient = adapter.isTransient(result);
  return new WorkError(
    `${argv[0]} failed with exit code ${result.exitCode}${transient ? ` after ${attempt + 1} attempts` : ""}: ${argv.map(shellQuote).join(" ")}\n${lastLines(result)}`,
    { code: transient ? "E_SCHEDULER_DOWN" : "E_SUBMIT" },
  );
}

function lastLines(result: ExecResult): string {
  return (result.stderr.trim() || result.stdout.trim()).split("\n").slice(-3).join(" ");
}

async function pool<T>(items: T[], size: number, worker: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await worker(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(size, items.length)) }, run));
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}
