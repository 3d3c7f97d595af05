import { closeSync, existsSync, openSync, readSync } from "node:fs";
import { COMPLETION_LINE } from "@sweval/job-renderer/schema";
import type { AccountingInfo, QueueInfo } from "./adapters/types.js";
import type { JobState, SubmittedEntry } from "./schema.js";

// The line the legacy job script (and sweval-run) prints last; V5's issue manager treats it as completion.
export { COMPLETION_LINE };

const TRACEBACK = "Traceback (most recent call last)";

export interface DerivedState {
  state: JobState;
  reason: string;
  exitStatus: number | null;
  elapsedSeconds: number | null;
}

/**
 * Decides a job's state: the live queue first; for a job that left it, accounting and the job's logs, so a
 * failed job never shows as done (V5's rules: a traceback with the completion line is done_with_errors,
 * without it error; exit 0 without the completion line is an error) and a job killed at its walltime is a timeout.
 */
export function deriveState(
  entry: SubmittedEntry,
  queued: QueueInfo | undefined,
  accounting: AccountingInfo | null,
  cancelled: boolean,
): DerivedState {
  const state = decideState(entry, queued, accounting, cancelled);
  // A job that left the queue ran for what accounting says: kept in the ledger for learned walltimes and estimates.
  return queued ? state : { ...state, elapsedSeconds: accounting?.elapsedSeconds ?? null };
}

function decideState(
  entry: SubmittedEntry,
  queued: QueueInfo | undefined,
  accounting: AccountingInfo | null,
  cancelled: boolean,
): DerivedState {
  if (queued) return { state: queued.state, reason: `queue: ${queued.raw}`, exitStatus: null, elapsedSeconds: queued.elapsedSeconds };
  const logs = readLogs(entry);
  if (accounting && accounting.outcome !== "finished") {
    const state = accounting.outcome === "deleted" || (cancelled && accounting.outcome === "error") ? "deleted" : accounting.outcome;
    return { state, reason: accounting.reason, exitStatus: accounting.exitStatus, elapsedSeconds: null };
  }
  if (!logs.exists) {
    return {
      state: cancelled ? "deleted" : accounting ? "error" : "deleted",
      reason: cancelled ? "cancelled" : "no log file and not in the queue",
      exitStatus: accounting?.exitStatus ?? null,
      elapsedSeconds: null,
    };
  }
  if (logs.traceback && logs.completed)
    return {
      state: "done_with_errors",
      reason: "completion line, but a Python traceback in the logs",
      exitStatus: accounting?.exitStatus ?? null,
      elapsedSeconds: null,
    };
  if (logs.traceback)
    return { state: "error", reason: "Python traceback in the logs", exitStatus: accounting?.exitStatus ?? null, elapsedSeconds: null };
  if (logs.completed)
    return {
      state: "done",
      reason: accounting ? `${accounting.reason}; completion line` : "completion line in the log",
      exitStatus: accounting?.exitStatus ?? null,
      elapsedSeconds: null,
    };
  if (accounting)
    return {
      state: "error",
      reason: `${accounting.reason}, but no completion line in ${logPath(entry.job.stdout, entry.jobId)}`,
      exitStatus: accounting.exitStatus,
      elapsedSeconds: null,
    };
  return {
    state: cancelled ? "deleted" : "timeout",
    reason: "left the queue without the completion line (no accounting to say why)",
    exitStatus: null,
    elapsedSeconds: null,
  };
}

/**
 * The job's stdout and stderr, scanned for the completion line and Python tracebacks in 1 MiB windows, so a log
 * of any size costs a window of memory (a 600 MB vLLM log once cost 1.1 GB).
 */
export function readLogs(entry: SubmittedEntry): { exists: boolean; completed: boolean; traceback: boolean } {
  const paths = [entry.job.stdout, entry.job.stderr].map((path) => logPath(path, entry.jobId)).filter((path) => existsSync(path));
  const found = paths.map((path) => scanFor(path, [COMPLETION_LINE, TRACEBACK]));
  return {
    exists: paths.length > 0,
    completed: found.some((hits) => hits.has(COMPLETION_LINE)),
    traceback: found.some((hits) => hits.has(TRACEBACK)),
  };
}

/** Which of the needles a file holds, read in windows that overlap by the longest needle. */
export function scanFor(path: string, needles: string[], windowBytes = 1 << 20): Set<string> {
  const hits = new Set<string>();
  const keep = Math.max(...needles.map((needle) => Buffer.byteLength(needle)));
  const buffer = Buffer.alloc(windowBytes + keep);
  let carried = 0;
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return hits;
  }
  try {
    for (;;) {
      const read = readSync(fd, buffer, carried, windowBytes, null);
      const end = carried + read;
      const text = buffer.toString("utf8", 0, end);
      for (const needle of needles) if (text.includes(needle)) hits.add(needle);
      if (read === 0 || hits.size === needles.length) break;
      // A needle cut by the window's end lies whole in the next window, which starts with this one's tail.
      const tail = Math.min(keep, end);
      buffer.copy(buffer, 0, end - tail, end);
      carried = tail;
    }
  } finally {
    closeSync(fd);
  }
  return hits;
}

/** A log path of the manifest or ledger with the scheduler's id in place of `{jobId}`. */
export function logPath(template: string, jobId: string): string {
  return template.replaceAll("{jobId}", jobId);
}
