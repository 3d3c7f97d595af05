import { existsSync, readFileSync } from "node:fs";
import { COMPLETION_LINE } from "@sweval/job-renderer/schema";
import type { AccountingInfo, QueueInfo } from "./adapters/types.js";
import type { JobState, LedgerEntry } from "./schema.js";

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
  entry: LedgerEntry,
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

/** The job's stdout and stderr, scanned for the completion line and Python tracebacks. */
export function readLogs(entry: LedgerEntry): { exists: boolean; completed: boolean; traceback: boolean } {
  const paths = [entry.job.stdout, entry.job.stderr].map((path) => logPath(path, entry.jobId));
  const texts = paths.filter((path) => existsSync(path)).map((path) => readFileSync(path, "utf8"));
  return {
    exists: texts.length > 0,
    completed: texts.some((text) => text.includes(COMPLETION_LINE)),
    traceback: texts.some((text) => text.includes(TRACEBACK)),
  };
}

/** A log path of the manifest or ledger with the scheduler's id in place of `{jobId}`. */
export function logPath(template: string, jobId: string): string {
  return template.replaceAll("{jobId}", jobId);
}
