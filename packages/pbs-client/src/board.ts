import { formatWalltime } from "@sweval/clusters";
import { adapterFor } from "./adapters/index.js";
import type { AccountingInfo, QueueInfo } from "./adapters/types.js";
import { type DerivedState, deriveState, logPath } from "./derive-state.js";
import type { Exec } from "./exec.js";
import {
  type JobState,
  LEDGER_KIND,
  LEDGER_VERSION,
  type LedgerEntry,
  type SettledEntry,
  STATUS_KIND,
  STATUS_VERSION,
  type StatusBoard,
  type StatusCell,
  type SubmittedEntry,
} from "./schema.js";

export const STATE_ICONS: Record<JobState, string> = {
  not_submitted: "⬜️",
  queued: "🟤",
  transferring: "🟣",
  running: "🔵",
  done: "🟢",
  done_with_errors: "🟩",
  error: "🟥",
  timeout: "🟨",
  deleted: "🔳",
};

/** States of a job the scheduler still holds. */
export const ACTIVE_STATES: ReadonlySet<JobState> = new Set(["queued", "transferring", "running"]);

/** States in which a cell needs no new submission. */
export const ACTIVE_OR_DONE: ReadonlySet<JobState> = new Set(["queued", "transferring", "running", "done", "done_with_errors"]);

export interface CellKey {
  model: string;
  customSettings: string | null;
  task: string;
}

export function cellId(key: CellKey): string {
  return `${key.model}\u0000${key.customSettings ?? ""}\u0000${key.task}`;
}

export interface BuildBoardOptions {
  entries: LedgerEntry[];
  exec: Exec;
  localStateDir: string;
  /** Cells expected to exist (from a manifest), shown as not submitted when the ledger has none. */
  expected?: CellKey[];
  /** Receives the final states the board decided from accounting, to keep in the ledger (see `settledFrom`). */
  settle?: (entries: SettledEntry[]) => void;
  /** Accounting queries in flight at once. @default 8 */
  parallel?: number;
}

/** How many of a cell's newest submissions the board looks at for a done one. */
const MAX_ATTEMPTS_LOOKED_AT = 10;

/** States a job never leaves. */
const FINAL: ReadonlySet<JobState> = new Set(["done", "done_with_errors", "error", "timeout", "deleted"]);

/**
 * One cell per model × task: the queue is read once per scheduler; jobs that left it are decided by a settled
 * line of the ledger when there is one, else by accounting and logs (at most `parallel` queries at once, and a
 * cell stops at its newest active or done job). A done job wins over later attempts (V5); otherwise the newest
 * submission counts.
 */
export async function buildBoard(options: BuildBoardOptions): Promise<StatusBoard> {
  const submitted = options.entries.filter((entry): entry is SubmittedEntry => entry.event === "submitted");
  const cancelled = new Set(
    options.entries.filter((entry) => entry.event === "cancelled").map((entry) => `${entry.scheduler}:${entry.jobId}`),
  );
  const settled = new Map(
    options.entries
      .filter((entry): entry is SettledEntry => entry.event === "settled")
      .map((entry) => [`${entry.scheduler}:${entry.jobId}`, entry]),
  );
  const queues = await readQueues(submitted, options);
  const cells = new Map<string, { key: CellKey; entries: SubmittedEntry[] }>();
  for (const key of options.expected ?? []) cells.set(cellId(key), { key, entries: [] });
  for (const entry of submitted) {
    for (const task of entry.job.tasks) {
      const key = { model: entry.job.model, customSettings: entry.job.customSettings, task };
      const cell = cells.get(cellId(key)) ?? { key, entries: [] };
      cell.entries.push(entry);
      cells.set(cellId(key), cell);
    }
  }
  const fresh: SettledEntry[] = [];
  const prefetched = await prefetchAccounting([...cells.values()], queues, settled, options);
  const decide = async (entry: SubmittedEntry): Promise<DerivedState> => {
    const id = `${entry.scheduler}:${entry.jobId}`;
    const queued = queues.get(entry.scheduler)?.get(entry.jobId);
    const known = queued ? undefined : settled.get(id);
    if (known)
      return { state: known.state, reason: known.reason, exitStatus: known.exitStatus, elapsedSeconds: known.elapsedSeconds ?? null };
    const accounting = queued
      ? null
      : (prefetched.get(id) ??
        (await adapterFor(entry.scheduler, options.localStateDir)
          .accounting(options.exec, entry.jobId)
          .catch(() => null)));
    const state = deriveState(entry, queued, accounting, cancelled.has(id));
    // Only what the scheduler's own accounting confirmed is kept: a job just leaving the queue may have none yet.
    if (accounting && FINAL.has(state.state)) fresh.push(settledEntry(entry, state));
    return state;
  };
  const out: StatusCell[] = [];
  await pool([...cells.values()], options.parallel ?? 8, async ({ key, entries }) => {
    out.push(entries.length === 0 ? notSubmittedCell(key) : await decideCell(key, entries, decide));
  });
  if (fresh.length > 0) options.settle?.(fresh);
  const order = new Map([...cells.keys()].map((id, index) => [id, index]));
  out.sort((a, b) => (order.get(cellId(a)) ?? 0) - (order.get(cellId(b)) ?? 0));
  return { kind: STATUS_KIND, version: STATUS_VERSION, at: new Date().toISOString(), cells: out };
}

/**
 * Above a few jobs, accounting is asked in bulk (one `qacct -o USER -j`, one `scontrol show job` and a few
 * `sacct -j A,B,…`) for every job the board will look at, instead of once per job: a 100,000-line ledger
 * once made 31,422 qacct calls.
 */
async function prefetchAccounting(
  cells: Array<{ entries: SubmittedEntry[] }>,
  queues: Map<string, Map<string, QueueInfo>>,
  settled: Map<string, SettledEntry>,
  options: BuildBoardOptions,
): Promise<Map<string, AccountingInfo>> {
  const wanted = new Map<SubmittedEntry["scheduler"], string[]>();
  for (const { entries } of cells) {
    // The entries decideCell will ask about: newest first, until one already known to decide the cell.
    for (const [index, entry] of [...entries].reverse().slice(0, MAX_ATTEMPTS_LOOKED_AT).entries()) {
      const queued = queues.get(entry.scheduler)?.get(entry.jobId);
      const known = settled.get(`${entry.scheduler}:${entry.jobId}`)?.state;
      if ((queued && index === 0) || known === "done" || (known && index === 0 && ACTIVE_OR_DONE.has(known))) break;
      if (queued || known) continue;
      const ids = wanted.get(entry.scheduler) ?? [];
      ids.push(entry.jobId);
      wanted.set(entry.scheduler, ids);
    }
  }
  const found = new Map<string, AccountingInfo>();
  for (const [scheduler, ids] of wanted) {
    if (ids.length < BULK_FROM) continue;
    const answers = await adapterFor(scheduler, options.localStateDir)
      .accountingMany(options.exec, ids)
      .catch(() => new Map<string, AccountingInfo>());
    for (const [id, info] of answers) found.set(`${scheduler}:${id}`, info);
  }
  return found;
}

/** From this many jobs to decide, accounting is read in bulk. */
const BULK_FROM = 20;

async function decideCell(
  key: CellKey,
  entries: SubmittedEntry[],
  decide: (entry: SubmittedEntry) => Promise<DerivedState>,
): Promise<StatusCell> {
  const derived: Array<{ entry: SubmittedEntry; state: DerivedState }> = [];
  // The newest attempts decide; a cell resubmitted hundreds of times does not cost hundreds of accounting queries.
  for (const entry of [...entries].reverse().slice(0, MAX_ATTEMPTS_LOOKED_AT)) {
    const state = await decide(entry);
    derived.push({ entry, state });
    if (derived.length === 1 && ACTIVE_OR_DONE.has(state.state)) break;
    if (state.state === "done") break;
  }
  const chosen = derived.find((d) => d.state.state === "done") ?? (derived[0] as { entry: SubmittedEntry; state: DerivedState });
  return {
    ...key,
    state: chosen.state.state,
    jobId: chosen.entry.jobId,
    jobIds: entries.map((entry) => entry.jobId),
    elapsedSeconds: chosen.state.elapsedSeconds,
    walltimeSeconds: chosen.entry.job.walltimeSeconds,
    exitStatus: chosen.state.exitStatus,
    reason: chosen.state.reason,
    stdout: logPath(chosen.entry.job.stdout, chosen.entry.jobId),
    stderr: logPath(chosen.entry.job.stderr, chosen.entry.jobId),
  };
}

function notSubmittedCell(key: CellKey): StatusCell {
  return {
    ...key,
    state: "not_submitted",
    jobId: null,
    jobIds: [],
    elapsedSeconds: null,
    walltimeSeconds: null,
    exitStatus: null,
    reason: "in the manifest, not in the ledger",
    stdout: null,
    stderr: null,
  };
}

/** The ledger line that keeps a job's final state. */
export function settledEntry(entry: SubmittedEntry, state: DerivedState): SettledEntry {
  return {
    kind: LEDGER_KIND,
    version: LEDGER_VERSION,
    event: "settled",
    at: new Date().toISOString(),
    scheduler: entry.scheduler,
    jobId: entry.jobId,
    state: state.state as SettledEntry["state"],
    exitStatus: state.exitStatus,
    reason: state.reason,
    elapsedSeconds: state.elapsedSeconds,
  };
}

/** Runs worker over items, at most size at a time. */
export async function pool<T>(items: T[], size: number, worker: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await worker(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(size, items.length)) }, run));
}

/** The board as people read it: a block per model [+ custom settings], a line per task. */
export function renderBoard(board: StatusBoard): string {
  const groups = new Map<string, StatusCell[]>();
  for (const cell of board.cells) {
    const title = cell.customSettings ? `${cell.model} [${cell.customSettings}]` : cell.model;
    const group = groups.get(title) ?? [];
    group.push(cell);
    groups.set(title, group);
  }
  const lines: string[] = [];
  for (const [title, cells] of groups) {
    lines.push(`Model: ${title}`);
    const width = Math.max(...cells.map((c) => c.task.length));
    for (const cell of cells) {
      const time =
        cell.elapsedSeconds !== null && cell.walltimeSeconds
          ? `  ${formatWalltime(cell.elapsedSeconds)} / ${formatWalltime(cell.walltimeSeconds)}`
          : "";
      const job = cell.jobId ? `  job ${cell.jobId}${cell.jobIds.length > 1 ? ` (${cell.jobIds.length} submissions)` : ""}` : "";
      lines.push(`  ${STATE_ICONS[cell.state]} ${cell.task.padEnd(width)}  ${cell.state.padEnd(16)}${job}${time}  ${cell.reason}`);
    }
    lines.push("");
  }
  const counts = new Map<JobState, number>();
  for (const cell of board.cells) counts.set(cell.state, (counts.get(cell.state) ?? 0) + 1);
  lines.push([...counts].map(([state, n]) => `${STATE_ICONS[state]} ${state} ${n}`).join("  "));
  return `${lines.join("\n")}\n`;
}

async function readQueues(entries: SubmittedEntry[], options: BuildBoardOptions): Promise<Map<string, Map<string, QueueInfo>>> {
  const queues = new Map<string, Map<string, QueueInfo>>();
  for (const scheduler of new Set(entries.map((entry) => entry.scheduler))) {
    const ids = entries.filter((entry) => entry.scheduler === scheduler).map((entry) => entry.jobId);
    queues.set(scheduler, await adapterFor(scheduler, options.localStateDir).queue(options.exec, ids));
  }
  return queues;
}
