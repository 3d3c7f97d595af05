import type { AccountingInfo, QueueInfo } from "@sweval/clusters";
import type { Exec, ExecResult } from "../exec.js";

export type { AccountingInfo, QueueInfo };

/** One scheduler as pbs-client drives it: submit answers, the queue, accounting, cancelling. */
export interface SchedulerAdapter {
  /** The job id in the scheduler's answer to a successful submit. */
  parseSubmitOutput(result: ExecResult): string | null;
  /** True for errors worth retrying (the scheduler is briefly unreachable), never for bad requests. */
  isTransient(result: ExecResult): boolean;
  queue(exec: Exec, ids: string[]): Promise<Map<string, QueueInfo>>;
  accounting(exec: Exec, id: string): Promise<AccountingInfo | null>;
  /** Accounting for many jobs in as few commands as the scheduler allows; ids it does not answer are left out. */
  accountingMany(exec: Exec, ids: string[]): Promise<Map<string, AccountingInfo>>;
  cancel(exec: Exec, id: string): Promise<ExecResult>;
  /** Ids of the jobs named `name` (for the local scheduler: running `script`) submitted at or after `since` (ms). */
  find(exec: Exec, job: { name: string; script: string }, since: number): Promise<string[]>;
}
