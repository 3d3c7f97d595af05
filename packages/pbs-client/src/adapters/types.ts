import type { Exec, ExecResult } from "../exec.js";
import type { JobState } from "../schema.js";

/** A job as the live queue shows it. */
export interface QueueInfo {
  state: JobState;
  /** The scheduler's own code (qw, r, PENDING…), for the board's reason. */
  raw: string;
  elapsedSeconds: number | null;
}

/** What accounting says of a job that left the queue; `finished` means exit 0 (the logs decide the rest). */
export interface AccountingInfo {
  outcome: "finished" | "error" | "timeout" | "deleted";
  exitStatus: number | null;
  reason: string;
}

/** One scheduler dialect: how to submit, read the queue and accounting, and cancel. */
export interface SchedulerAdapter {
  /** The job id in the scheduler's answer to a successful submit. */
  parseSubmitOutput(result: ExecResult): string | null;
  /** True for errors worth retrying (the scheduler is briefly unreachable), never for bad requests. */
  isTransient(result: ExecResult): boolean;
  queue(exec: Exec, ids: string[]): Promise<Map<string, QueueInfo>>;
  accounting(exec: Exec, id: string): Promise<AccountingInfo | null>;
  cancel(exec: Exec, id: string): Promise<ExecResult>;
}

/** `HH:MM:SS`, `MM:SS`, `D-HH:MM:SS` → seconds. */
export function durationSeconds(text: string): number | null {
  const match = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)$/.exec(text.trim());
  if (!match) return null;
  const [, days = "0", hours = "0", minutes = "0", seconds = "0"] = match;
  return Number(days) * 86400 + Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds);
}
