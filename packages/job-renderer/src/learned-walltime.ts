// Walltimes learned from the ledger's history: what each task really took on a node kind for a model of a size,
// instead of tasks_runtime.csv's one static column. A lower h_rt holds fewer points at submission and pays less of
// TSUBAME's 10 % term; a job that timed out raises its own task's value, so the next one is not killed again.
import { existsSync } from "node:fs";
import { InputError, readTextInput } from "@sweval/core";
import { parametersInModelId } from "@sweval/settings-resolver/schema";
import { LedgerRunLineSchema, type WalltimeFrom } from "./schema.js";

/** How many finished runs a value needs before it replaces the static column. */
export const MIN_SAMPLES = 3;
/** The quantile of the past run times the walltime covers. */
export const QUANTILE = 0.9;
/** Above that quantile: 20 % more, and never less than 5 minutes more (vLLM's start alone varies by minutes). */
const MARGIN_RATIO = 0.2;
const MARGIN_MIN_SECONDS = 300;
/** A timed-out job needed more than its h_rt: the next one gets half as much again. */
const TIMEOUT_GROWTH = 1.5;

/** What the history says of one task × node kind × model size class. */
export interface TaskHistory {
  /** Run times of the jobs that ended on their own (done or done with errors), in seconds. */
  runs: number[];
  /** The walltimes of the jobs that were killed at them. */
  timeouts: number[];
}

export type RunHistory = Map<string, TaskHistory>;

export function historyKey(task: string, nodeKind: string, sizeClass: string): string {
  return `${task}|${nodeKind}|${sizeClass}`;
}

/**
 * A model's size class from its parameter count, else from the number its id carries ("8B", "70B", "32b-a3b"):
 * the run time of a task depends on the model's size far more than on the model.
 */
export function sizeClassOf(model: string, parameters?: number | null): string {
  const known = parameters || parametersInModelId(model);
  if (!known) return "unknown";
  const billions = known / 1e9;
  if (billions <= 10) return "<=10B";
  if (billions <= 40) return "<=40B";
  if (billions <= 100) return "<=100B";
  return ">100B";
}

/**
 * Reads a ledger's history: each job's task, node kind and size class from its submitted line, its run time and
 * outcome from the settled line the board wrote from accounting. Packed jobs (several tasks) and the aggregation
 * job say nothing of one task's time and are left out. Lines of other kinds are skipped; a malformed line exits 2.
 */
export function readRunHistory(text: string, file: string): RunHistory {
  const jobs = new Map<string, { tasks: string[]; nodeKind: string; sizeClass: string; walltimeSeconds: number }>();
  const settled: Array<{ id: string; state: string; elapsedSeconds: number | null }> = [];
  for (const [index, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new InputError("not a JSON line", { code: "E_LEDGER", file, line: index + 1, cause: error });
    }
    const parsed = LedgerRunLineSchema.safeParse(value);
    if (!parsed.success) continue;
    const entry = parsed.data;
    const id = `${entry.scheduler}:${entry.jobId}`;
    if (entry.event === "submitted") {
      const { job } = entry;
      jobs.set(id, {
        tasks: job.tasks,
        nodeKind: job.resources.nodeKind,
        sizeClass: job.sizeClass ?? sizeClassOf(job.model),
        walltimeSeconds: job.walltimeSeconds,
      });
    } else settled.push({ id, state: entry.state, elapsedSeconds: entry.elapsedSeconds ?? null });
  }
  const history: RunHistory = new Map();
  for (const run of settled) {
    const job = jobs.get(run.id);
    const [task] = job?.tasks ?? [];
    if (!job || !task || job.tasks.length !== 1 || task === "aggregate") continue;
    const key = historyKey(task, job.nodeKind, job.sizeClass);
    const entry = history.get(key) ?? { runs: [], timeouts: [] };
    if (run.state === "timeout") entry.timeouts.push(job.walltimeSeconds);
    else if ((run.state === "done" || run.state === "done_with_errors") && run.elapsedSeconds !== null) entry.runs.push(run.elapsedSeconds);
    else continue;
    history.set(key, entry);
  }
  return history;
}

/** The value at quantile q of the values (nearest rank): a high one, so a slow run is covered, not averaged away. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

/**
 * The walltime for one task from its history: the 90th percentile of its run times plus the margin, rounded up to
 * the minute; at least half as much again as any walltime it timed out at; never above the node kind's maximum.
 * With fewer than MIN_SAMPLES runs and no timeout, the static column stays.
 */
export function learnedWalltime(
  history: TaskHistory | undefined,
  options: { staticSeconds: number; maxSeconds: number },
): WalltimeFrom & { seconds: number } {
  const runs = history?.runs ?? [];
  const timeouts = history?.timeouts ?? [];
  const learnedFromRuns = runs.length >= MIN_SAMPLES ? withMargin(quantile(runs, QUANTILE)) : null;
  const raisedByTimeout = timeouts.length > 0 ? Math.max(...timeouts) * TIMEOUT_GROWTH : null;
  const expectedSeconds = runs.length >= MIN_SAMPLES ? quantile(runs, 0.5) : null;
  const base = { staticSeconds: options.staticSeconds, samples: runs.length, timeouts: timeouts.length, expectedSeconds };
  if (learnedFromRuns === null && raisedByTimeout === null) return { ...base, source: "static", seconds: options.staticSeconds };
  const wanted = Math.max(learnedFromRuns ?? 0, raisedByTimeout ?? 0);
  return { ...base, source: "learned", seconds: Math.min(options.maxSeconds, Math.ceil(wanted / 60) * 60) };
}

function withMargin(seconds: number): number {
  return seconds + Math.max(seconds * MARGIN_RATIO, MARGIN_MIN_SECONDS);
}

/**
 * The history of the ledger(s) the plans' jobs will be recorded in (or the one named): a missing ledger is no
 * history yet, so every task keeps its static walltime, and the log says so.
 */
export async function readHistoryFor(
  plans: Array<{ paths: { storePath: string } }>,
  options: { ledger: string | null; log: { write(text: string): unknown } },
): Promise<RunHistory> {
  const files = options.ledger
    ? [options.ledger]
    : [...new Set(plans.map((plan) => `${plan.paths.storePath}/results/.sweval/ledger.jsonl`))];
  const history: RunHistory = new Map();
  for (const file of files) {
    if (!existsSync(file)) {
      options.log.write(`sweval-render: no run history yet in ${file}; the static walltimes stay\n`);
      continue;
    }
    for (const [key, entry] of readRunHistory(await readTextInput(file, "ledger"), file)) {
      const merged = history.get(key) ?? { runs: [], timeouts: [] };
      merged.runs.push(...entry.runs);
      merged.timeouts.push(...entry.timeouts);
      history.set(key, merged);
    }
  }
  return history;
}
