import { formatWalltime } from "@sweval/clusters";
import { adapterFor } from "./adapters/index.js";
import type { QueueInfo } from "./adapters/types.js";
import { deriveState, logPath } from "./derive-state.js";
import type { Exec } from "./exec.js";
import { type JobState, type LedgerEntry, STATUS_KIND, STATUS_VERSION, type StatusBoard, type StatusCell } from "./schema.js";

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
}

/**
 * One cell per model × task: the queue is read once per scheduler; jobs that left it are decided by
 * accounting and logs. A done job wins over later attempts (V5); otherwise the newest submission counts.
 */
export async function buildBoard(options: BuildBoardOptions): Promise<StatusBoard> {
  const submitted = options.entries.filter((entry) => entry.event === "submitted");
  const cancelled = new Set(
    options.entries.filter((entry) => entry.event === "cancelled").map((entry) => `${entry.scheduler}:${entry.jobId}`),
  );
  const queues = await readQueues(submitted, options);
  const cells = new Map<string, { key: CellKey; entries: LedgerEntry[] }>();
  for (const key of options.expected ?? []) cells.set(cellId(key), { key, entries: [] });
  for (const entry of submitted) {
    for (const task of entry.job.tasks) {
      const key = { model: entry.job.model, customSettings: entry.job.customSettings, task };
      const cell = cells.get(cellId(key)) ?? { key, entries: [] };
      cell.entries.push(entry);
      cells.set(cellId(key), cell);
    }
  }
  const out: StatusCell[] = [];
  for (const { key, entries } of cells.values()) {
    if (entries.length === 0) {
      out.push({
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
      });
      continue;
    }
    const derived = [];
    for (const entry of [...entries].reverse()) {
      const adapter = adapterFor(entry.scheduler, options.localStateDir);
      const queued = queues.get(entry.scheduler)?.get(entry.jobId);
      const accounting = queued ? null : await adapter.accounting(options.exec, entry.jobId).catch(() => null);
      const state = deriveState(entry, queued, accounting, cancelled.has(`${entry.scheduler}:${entry.jobId}`));
      derived.push({ entry, state });
      if (derived.length === 1 && ACTIVE_OR_DONE.has(state.state)) break;
    }
    const chosen = derived.find((d) => d.state.state === "done") ?? derived[0];
    if (!chosen) continue;
    out.push({
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
    });
  }
  return { kind: STATUS_KIND, version: STATUS_VERSION, at: new Date().toISOString(), cells: out };
}

/** The board as people read it: a block per model [+ custom settings], a line per task. */
export function renderBoard(board: StatusBoard): string {
  const groups = new Map<string, StatusCell[]>();
  for (const cell of board.cells) {
    const title = cell.customSettings ? `${cell.model} [${cell.customSettings}]` : cell.model;
    groups.set(title, [...(groups.get(title) ?? []), cell]);
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

async function readQueues(entries: LedgerEntry[], options: BuildBoardOptions): Promise<Map<string, Map<string, QueueInfo>>> {
  const queues = new Map<string, Map<string, QueueInfo>>();
  for (const scheduler of new Set(entries.map((entry) => entry.scheduler))) {
    const ids = entries.filter((entry) => entry.scheduler === scheduler).map((entry) => entry.jobId);
    queues.set(scheduler, await adapterFor(scheduler, options.localStateDir).queue(options.exec, ids));
  }
  return queues;
}
