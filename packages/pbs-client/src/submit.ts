import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { dirname, join } from "node:path";
import { InputError, shellQuote, WorkError } from "@sweval/core";
import type { Job, JobsManifest } from "@sweval/job-renderer";
import { adapterFor } from "./adapters/index.js";
import { createLocalScheduler } from "./adapters/local.js";
import type { SchedulerAdapter } from "./adapters/types.js";
import { ACTIVE_OR_DONE, buildBoard, cellId } from "./board.js";
import type { Exec, ExecResult } from "./exec.js";
import { appendLedger, readLedger, withLedgerLock } from "./ledger.js";
import { LEDGER_KIND, LEDGER_VERSION, type LedgerEntry } from "./schema.js";

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
  /** After each model's jobs, submit an aggregation job that waits for all of them. @default false */
  thenAggregate?: boolean;
  localStateDir: string;
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
}

export interface SubmitOutcome {
  job: string;
  model: string;
  tasks: string[];
  status: "submitted" | "skipped" | "failed" | "would-submit";
  jobId?: string;
  reason?: string;
  argv: string[];
}

/**
 * Submits a manifest's jobs with the argv each gives, recording every job id in the ledger kept with the
 * results. Tasks already queued, running or done are skipped unless forced. Transient scheduler errors are
 * retried with backoff; other refusals fail that job only. Bad input (a missing script) fails before
 * anything is submitted.
 */
export async function submitJobs(options: SubmitOptions): Promise<SubmitOutcome[]> {
  const log = options.log ?? (() => {});
  for (const job of options.manifest.jobs) {
    if (!existsSync(job.script))
      throw new InputError("job script no longer exists; re-render the jobs", { code: "E_NO_SCRIPT", file: job.script, field: job.name });
  }
  const byLedger = new Map<string, Job[]>();
  for (const job of options.manifest.jobs) {
    const ledger = ledgerPath(options.ledger, job, options.env);
    byLedger.set(ledger, [...(byLedger.get(ledger) ?? []), job]);
  }
  const outcomes: SubmitOutcome[] = [];
  for (const [ledger, jobs] of byLedger) {
    const run = async () => {
      const { entries, warnings } = readLedger(ledger);
      for (const warning of warnings) log(`warning: ${warning}`);
      const board = options.force ? null : await buildBoard({ entries, exec: options.exec, localStateDir: options.localStateDir });
      const busy = new Map((board?.cells ?? []).filter((cell) => ACTIVE_OR_DONE.has(cell.state)).map((cell) => [cellId(cell), cell]));
      const todo: Job[] = [];
      for (const job of jobs) {
        const blocking = job.tasks
          .map((task) => busy.get(cellId({ model: job.model, customSettings: job.customSettings, task })))
          .find(Boolean);
        if (blocking)
          outcomes.push({
            job: job.name,
            model: job.model,
            tasks: job.tasks,
            status: "skipped",
            reason: `${blocking.state} as job ${blocking.jobId}`,
            argv: job.submit.argv,
            jobId: blocking.jobId ?? undefined,
          });
        else todo.push(job);
      }
      const submittedIds = new Map<string, string[]>();
      await pool(todo, options.parallel ?? 4, async (job) => {
        if (options.dryRun) {
          outcomes.push({ job: job.name, model: job.model, tasks: job.tasks, status: "would-submit", argv: job.submit.argv });
          return;
        }
        try {
          mkdirSync(job.logDir, { recursive: true });
          const jobId = await submitOne(job, options);
          appendLedger(ledger, [entryFor(job, jobId, options.manifest)]);
          submittedIds.set(planKey(job), [...(submittedIds.get(planKey(job)) ?? []), jobId]);
          log(`submitted ${job.name} (${job.model}) as job ${jobId}`);
          outcomes.push({ job: job.name, model: job.model, tasks: job.tasks, status: "submitted", jobId, argv: job.submit.argv });
        } catch (error) {
          if (error instanceof InputError) throw error;
          log(`error: ${job.name}: ${(error as Error).message}`);
          outcomes.push({
            job: job.name,
            model: job.model,
            tasks: job.tasks,
            status: "failed",
            reason: (error as Error).message,
            argv: job.submit.argv,
          });
        }
      });
      if (options.thenAggregate && !options.dryRun) {
        for (const [key, ids] of submittedIds) {
          const job = jobs.find((j) => planKey(j) === key);
          if (!job) continue;
          const aggregation = aggregationJob(job, ids, options.manifest.scheduler);
          try {
            const jobId = await submitOne(aggregation, options, ids);
            appendLedger(ledger, [entryFor(aggregation, jobId, options.manifest)]);
            log(`submitted the aggregation of ${job.model} as job ${jobId}, after ${ids.join(", ")}`);
            outcomes.push({
              job: aggregation.name,
              model: job.model,
              tasks: aggregation.tasks,
              status: "submitted",
              jobId,
              argv: aggregation.submit.argv,
            });
          } catch (error) {
            outcomes.push({
              job: aggregation.name,
              model: job.model,
              tasks: aggregation.tasks,
              status: "failed",
              reason: (error as Error).message,
              argv: aggregation.submit.argv,
            });
          }
        }
      }
    };
    if (options.dryRun) await run();
    else await withLedgerLock(ledger, run);
  }
  return outcomes;
}

/** The ledger a job is recorded in: --ledger, $SWEVAL_LEDGER, the manifest's, else ./results/.sweval/ledger.jsonl. */
export function ledgerPath(
  explicit: string | null | undefined,
  job: Pick<Job, "ledger"> | null,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return explicit || env.SWEVAL_LEDGER || job?.ledger || join(env.REPO_PATH || process.cwd(), "results", ".sweval", "ledger.jsonl");
}

/** One submission with retries on transient errors; returns the scheduler's job id. */
export async function submitOne(job: Job, options: SubmitOptions, after: string[] = []): Promise<string> {
  if (options.manifest.scheduler === "local") {
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
  const adapter = adapterFor(options.manifest.scheduler, options.localStateDir);
  const retries = options.retries ?? 3;
  let delay = options.backoffMs ?? 1000;
  for (let attempt = 0; ; attempt++) {
    const result = await options.exec(job.submit.argv, { env: options.env });
    const jobId = result.exitCode === 0 ? adapter.parseSubmitOutput(result) : null;
    if (jobId) return jobId;
    if (result.exitCode === 0)
      throw new WorkError(`could not find a job id in the answer of ${job.submit.argv[0]}: ${result.stdout.trim().slice(0, 200)}`, {
        code: "E_SUBMIT",
      });
    if (!adapter.isTransient(result) || attempt >= retries) throw submitError(job, result, adapter, attempt);
    options.log?.(`${job.name}: the scheduler is not answering (${lastLine(result)}); retry ${attempt + 1}/${retries} in ${delay} ms`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay *= 2;
  }
}

function submitError(job: Job, result: ExecResult, adapter: SchedulerAdapter, attempt: number): WorkError {
  const transient = adapter.isTransient(result);
  return new WorkError(
    `${job.submit.argv[0]} failed with exit code ${result.exitCode}${transient ? ` after ${attempt + 1} attempts` : ""}: ${job.submit.argv.map(shellQuote).join(" ")}\n${lastLine(result)}`,
    { code: transient ? "E_SCHEDULER_DOWN" : "E_SUBMIT" },
  );
}

function lastLine(result: ExecResult): string {
  return (result.stderr.trim() || result.stdout.trim()).split("\n").slice(-3).join(" ");
}

function entryFor(job: Job, jobId: string, manifest: JobsManifest): LedgerEntry {
  return {
    kind: LEDGER_KIND,
    version: LEDGER_VERSION,
    event: "submitted",
    at: new Date().toISOString(),
    jobId,
    scheduler: manifest.scheduler,
    cluster: manifest.cluster,
    name: job.name,
    model: job.model,
    customSettings: job.customSettings,
    tasks: job.tasks,
    script: job.script,
    planPath: job.planPath,
    planFingerprint: job.planFingerprint,
    stdout: job.stdout,
    stderr: job.stderr,
    logDir: job.logDir,
    walltimeSeconds: job.walltimeSeconds,
    argv: job.submit.argv,
    user: safeUser(),
  };
}

function planKey(job: Job): string {
  return job.planPath;
}

/**
 * The job that re-aggregates a model after all its jobs (`-hold_jid` / `afterany`): the first job's submit
 * command with the dependency added, running a small script next to the plan.
 */
function aggregationJob(job: Job, after: string[], scheduler: JobsManifest["scheduler"]): Job {
  const plan = JSON.parse(readFileSync(job.planPath, "utf8")) as {
    litellmModel: string;
    paths: { rawResultsDir: string; resultsDir: string };
    customSettings: { name: string; path: string; version: string } | null;
  };
  const script = join(dirname(job.script), "aggregate.sh");
  const custom = plan.customSettings;
  const args = [
    "--model-name",
    plan.litellmModel,
    "--raw-results-dir",
    plan.paths.rawResultsDir,
    "--aggregated-outputs-dir",
    plan.paths.resultsDir,
    ...(custom
      ? [
          "--used-custom-settings-path",
          custom.path,
          "--used-custom-settings-name",
          custom.name,
          "--used-custom-settings-version",
          custom.version,
        ]
      : []),
  ];
  const header =
    scheduler === "slurm"
      ? [
          "#SBATCH --job-name=aggregate",
          "#SBATCH --time=00:10:00",
          `#SBATCH --output=${plan.paths.resultsDir}/aggregate.o%j`,
          `#SBATCH --error=${plan.paths.resultsDir}/aggregate.e%j`,
        ]
      : scheduler === "grid-engine"
        ? ["#$ -S /bin/bash"]
        : [];
  writeFileSync(
    script,
    `#!/bin/bash\n${header.map((l) => `${l}\n`).join("")}# Re-aggregates ${plan.litellmModel} after its evaluation jobs (written by sweval-pbs submit --then-aggregate).\nset -euo pipefail\nexec "\${SWEVAL_AGGREGATE:-sweval-aggregate}" ${args.map(shellQuote).join(" ")}\n`,
    { mode: 0o755 },
  );
  const logDir = plan.paths.resultsDir;
  const argv = dependentArgv(job.submit.argv, job.script, script, after, scheduler);
  return {
    ...job,
    name: "aggregate",
    tasks: ["aggregate"],
    script,
    logDir,
    stdout: `${logDir}/aggregate.o{jobId}`,
    stderr: `${logDir}/aggregate.e{jobId}`,
    walltimeSeconds: 600,
    walltime: "00:10:00",
    submit: { argv },
  };
}

function dependentArgv(argv: string[], oldScript: string, script: string, after: string[], scheduler: JobsManifest["scheduler"]): string[] {
  const replaced = argv.map((arg) => (arg === oldScript ? script : arg));
  const set = (flag: string, value: string) => {
    const index = replaced.indexOf(flag);
    if (index >= 0) replaced[index + 1] = value;
  };
  if (scheduler === "grid-engine") {
    set("-N", "aggregate");
    const rt = replaced.findIndex((arg) => arg.startsWith("h_rt="));
    if (rt >= 0) replaced[rt] = "h_rt=00:10:00";
    replaced.splice(1, 0, "-hold_jid", after.join(","));
  } else if (scheduler === "pbs-pro") {
    set("-N", "aggregate");
    const wt = replaced.findIndex((arg) => arg.startsWith("walltime="));
    if (wt >= 0) replaced[wt] = "walltime=00:10:00";
    replaced.splice(1, 0, "-W", `depend=afterany:${after.join(":")}`);
  } else if (scheduler === "slurm") {
    replaced.splice(1, 0, `--dependency=afterany:${after.join(":")}`);
  }
  return replaced;
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
    return process.env.USER ?? "unknown";
  }
}
