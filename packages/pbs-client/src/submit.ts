import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { dialectFor } from "@sweval/clusters";
import { InputError, shellQuote, WorkError } from "@sweval/core";
import type { Job, JobsManifest } from "@sweval/job-renderer/schema";
import { adapterFor } from "./adapters/index.js";
import { createLocalScheduler } from "./adapters/local.js";
import type { SchedulerAdapter } from "./adapters/types.js";
import { ACTIVE_OR_DONE, ACTIVE_STATES, buildBoard, type CellKey, cellId, pool } from "./board.js";
import { currentUser, type Exec, type ExecResult, lastLines } from "./exec.js";
import { appendLedger, readLedger, withLedgerLock } from "./ledger.js";
import {
  LEDGER_KIND,
  LEDGER_VERSION,
  type LedgerEntry,
  type StatusCell,
  type SubmitOutcome,
  type SubmittedEntry,
  type SubmittingEntry,
} from "./schema.js";

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
    // Killed mid-way (this process is being stopped): the scheduler may have taken the job. Reconciliation decides.
    if (result.signal)
      throw new WorkError(`${argv[0]} was stopped by ${result.signal}; whether the job was taken is checked on the next submit`, {
        code: "E_SUBMIT_INTERRUPTED",
      });
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
): SubmittedEntry {
  return {
    kind: LEDGER_KIND,
    version: LEDGER_VERSION,
    event: "submitted",
    at: new Date().toISOString(),
    jobId,
    user: currentUser(),
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
    const jobs = byLedger.get(ledger) ?? [];
    jobs.push(job);
    byLedger.set(ledger, jobs);
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
  const first = readLedger(ledger);
  for (const warning of first.warnings) options.log?.(`warning: ${warning}`);
  const recovered = options.dryRun ? 0 : await reconcileIntents(ledger, first.entries, options);
  const entries = recovered > 0 ? readLedger(ledger).entries : first.entries;
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
  const notSubmitted = job.after.filter((id) => decided.get(id)?.kind === "failed");
  if (notSubmitted.length > 0)
    return [
      outcome(job, "failed", { reason: `runs after ${notSubmitted.join(", ")}, which was not submitted` }),
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
  const failed = (error: unknown): [SubmitOutcome, Decided] => {
    options.log?.(`error: ${job.name}: ${(error as Error).message}`);
    return [outcome(job, "failed", { reason: (error as Error).message, argv }), { kind: "failed", waitId: null }];
  };
  // The intent goes first: if this process dies after the scheduler accepted the job, the next run finds it.
  const token = randomUUID();
  try {
    mkdirSync(job.logDir, { recursive: true });
    appendLedger(ledger, [intentEntry(job, token, options.manifest, argv)]);
  } catch (error) {
    return failed(error);
  }
  let jobId: string;
  try {
    jobId = await submitOne(job, options.manifest.scheduler, after, options);
  } catch (error) {
    if (error instanceof InputError) throw error;
    // Only a scheduler's own refusal settles the intent; an interrupted command leaves it to reconcileIntents.
    if ((error as WorkError).code !== "E_SUBMIT_INTERRUPTED")
      tryAppend(ledger, { ...intentEntry(job, token, options.manifest, argv), event: "not-submitted", reason: (error as Error).message });
    return failed(error);
  }
  try {
    appendLedger(ledger, [{ ...submittedEntry(job, jobId, options.manifest, argv), token } satisfies SubmittedEntry]);
  } catch (error) {
    return failed(
      new WorkError(`submitted as job ${jobId}, but ${(error as Error).message}; the next submit finds it by its intent`, {
        code: "E_LEDGER_WRITE",
      }),
    );
  }
  options.log?.(`submitted ${job.name} (${job.model}) as job ${jobId}${after.length > 0 ? `, after ${after.join(", ")}` : ""}`);
  return [outcome(job, "submitted", { jobId, argv }), { kind: "new", waitId: jobId }];
}

/** The line written before a submit command runs. */
function intentEntry(job: Job, token: string, manifest: Pick<JobsManifest, "scheduler" | "cluster">, argv: string[]): SubmittingEntry {
  return {
    kind: LEDGER_KIND,
    version: LEDGER_VERSION,
    event: "submitting",
    at: new Date().toISOString(),
    user: currentUser(),
    scheduler: manifest.scheduler,
    cluster: manifest.cluster,
    token,
    argv,
    job,
  };
}

/** Best effort, for lines whose loss the next run's reconciliation covers. */
function tryAppend(ledger: string, entry: LedgerEntry): void {
  try {
    appendLedger(ledger, [entry]);
  } catch {
    // Left to reconcileIntents.
  }
}

/**
 * Settles the intents an interrupted run left (killed between writing its intent and recording the job id):
 * a job of that name the scheduler holds, submitted since the intent and not in the ledger, is recorded as
 * submitted (recovered); none means the submit never got through. Returns how many jobs it recovered.
 */
export async function reconcileIntents(
  ledger: string,
  entries: LedgerEntry[],
  options: Pick<SubmitOptions, "exec" | "localStateDir" | "log">,
): Promise<number> {
  const settled = new Set(
    entries.flatMap((entry) => ((entry.event === "submitted" || entry.event === "not-submitted") && entry.token ? [entry.token] : [])),
  );
  const known = new Set(entries.flatMap((entry) => (entry.event === "submitted" ? [`${entry.scheduler}:${entry.jobId}`] : [])));
  let recovered = 0;
  for (const intent of entries.filter((entry): entry is SubmittingEntry => entry.event === "submitting" && !settled.has(entry.token))) {
    // A killed sweval-pbs leaves its qsub running: let it finish before looking for its job.
    await waitForSubmitCommand(intent.argv, 30_000);
    const adapter = adapterFor(intent.scheduler, options.localStateDir);
    const found = (await adapter.find(options.exec, intent.job, Date.parse(intent.at))).filter(
      (id) => !known.has(`${intent.scheduler}:${id}`),
    );
    if (found.length === 0) {
      appendLedger(ledger, [
        { ...intent, event: "not-submitted", at: new Date().toISOString(), reason: "not in the queue after an interrupted submit" },
      ]);
      continue;
    }
    for (const jobId of found) {
      known.add(`${intent.scheduler}:${jobId}`);
      const { token, ...rest } = intent;
      appendLedger(ledger, [{ ...rest, event: "submitted", at: new Date().toISOString(), jobId, token, recovered: true }]);
      options.log?.(`recovered job ${jobId} (${intent.job.name}), submitted by an interrupted run`);
      recovered++;
    }
  }
  return recovered;
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

/**
 * Waits (up to timeoutMs) while a process of this host still runs the submit command of argv: the same program
 * (by name) on the same job script. Linux's /proc; elsewhere it returns at once.
 */
async function waitForSubmitCommand(argv: string[], timeoutMs: number): Promise<void> {
  const program = basename(argv[0] ?? "");
  const script = argv.at(-1) ?? "";
  const running = () => {
    let pids: string[];
    try {
      pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name) && name !== String(process.pid));
    } catch {
      return false;
    }
    return pids.some((pid) => {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        return args.includes(script) && args.some((arg) => basename(arg) === program);
      } catch {
        return false;
      }
    });
  };
  const deadline = Date.now() + timeoutMs;
  while (running() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
}

function submitError(argv: string[], result: ExecResult, adapter: SchedulerAdapter, attempt: number): WorkError {
  const transient = adapter.isTransient(result);
  return new WorkError(
    `${argv[0]} failed with exit code ${result.exitCode}${transient ? ` after ${attempt + 1} attempts` : ""}: ${argv.map(shellQuote).join(" ")}\n${lastLines(result)}`,
    { code: transient ? "E_SCHEDULER_DOWN" : "E_SUBMIT" },
  );
}
