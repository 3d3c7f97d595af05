import { existsSync, readFileSync } from "node:fs";
import { InputError } from "@sweval/core";
import { adapterFor } from "./adapters/index.js";
import { ACTIVE_STATES, buildBoard } from "./board.js";
import type { Exec } from "./exec.js";
import { appendLedger, readLedger, submissions, withLedgerLock } from "./ledger.js";
import type { CancelledEntry, JobState, StatusCell } from "./schema.js";
import { submitOne, submittedEntry } from "./submit.js";

export interface ManageOptions {
  ledger: string;
  exec: Exec;
  localStateDir: string;
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
}

export interface Selection {
  /** Job ids or task keys. */
  targets?: string[];
  model?: string;
  all?: boolean;
}

const RESUBMITTABLE: ReadonlySet<JobState> = new Set(["error", "timeout", "deleted"]);

/** Cancels the selected cells that are queued or running (qdel / scancel / the local kill) and records it. */
export async function cancelJobs(options: ManageOptions & { selection: Selection }): Promise<StatusCell[]> {
  const { selection } = options;
  if (!selection.all && !selection.model && !selection.targets?.length) {
    throw new InputError("say what to cancel: job ids, task keys, --model or --all", { code: "E_USAGE" });
  }
  return withLedgerLock(options.ledger, async () => {
    const { entries } = readLedger(options.ledger);
    const board = await buildBoard({ entries, exec: options.exec, localStateDir: options.localStateDir });
    const chosen = board.cells.filter((cell) => ACTIVE_STATES.has(cell.state) && matches(cell, selection));
    const cancelled: CancelledEntry[] = [];
    for (const cell of chosen) {
      const entry = submissions(entries).find((e) => e.jobId === cell.jobId);
      if (!entry || cancelled.some((c) => c.jobId === entry.jobId)) continue;
      const result = await adapterFor(entry.scheduler, options.localStateDir).cancel(options.exec, entry.jobId);
      options.log?.(
        result.exitCode === 0
          ? `cancelled job ${entry.jobId} (${entry.job.name})`
          : `could not cancel ${entry.jobId}: ${result.stderr.trim()}`,
      );
      if (result.exitCode === 0) {
        const { token: _token, recovered: _recovered, ...rest } = entry;
        cancelled.push({ ...rest, event: "cancelled", at: new Date().toISOString() });
      }
    }
    appendLedger(options.ledger, cancelled);
    return chosen;
  });
}

/**
 * Resubmits the cells that failed (error, timeout, deleted) and were never done, as the job their last
 * submission embedded — resources, walltime and GPU count included — like V5's resub list. The jobs it ran
 * after have ended, so it waits on nothing. A script that no longer exists is bad input.
 */
export async function resubmitFailed(options: ManageOptions & { selection?: Selection; dryRun?: boolean }) {
  return withLedgerLock(options.ledger, async () => {
    const { entries } = readLedger(options.ledger);
    const board = await buildBoard({ entries, exec: options.exec, localStateDir: options.localStateDir });
    const chosen = board.cells.filter((cell) => RESUBMITTABLE.has(cell.state) && (!options.selection || matches(cell, options.selection)));
    const seen = new Set<string>();
    const outcomes: Array<{ cell: StatusCell; jobId?: string; argv: string[] }> = [];
    for (const cell of chosen) {
      const entry = submissions(entries)
        .reverse()
        .find((e) => e.jobId === cell.jobId);
      if (!entry || seen.has(entry.jobId)) continue;
      seen.add(entry.jobId);
      const { job } = entry;
      if (!existsSync(job.script))
        throw new InputError("job script no longer exists; re-render and submit instead", {
          code: "E_NO_SCRIPT",
          file: job.script,
          field: job.name,
        });
      const argv = job.submit.argv;
      if (options.dryRun) {
        outcomes.push({ cell, argv });
        continue;
      }
      const jobId = await submitOne(job, entry.scheduler, [], options);
      appendLedger(options.ledger, [submittedEntry(job, jobId, entry, argv)]);
      options.log?.(`resubmitted ${job.name} (${job.model}) as job ${jobId}; it was ${cell.state} as ${cell.jobId}`);
      outcomes.push({ cell, jobId, argv });
    }
    return outcomes;
  });
}

/** The latest job's log paths and the last lines of each. */
export async function jobLogs(options: ManageOptions & { model: string; task: string; lines?: number }) {
  const { entries } = readLedger(options.ledger);
  const board = await buildBoard({ entries, exec: options.exec, localStateDir: options.localStateDir });
  const cell = board.cells.find(
    (c) => (c.model === options.model || `${c.model}/${c.customSettings}` === options.model) && c.task === options.task,
  );
  if (!cell)
    throw new InputError(`no job for ${options.model} ${options.task} in ${options.ledger}`, { code: "E_NO_JOB", file: options.ledger });
  const tail = (path: string | null) =>
    path && existsSync(path)
      ? readFileSync(path, "utf8")
          .split("\n")
          .slice(-(options.lines ?? 40))
          .join("\n")
      : null;
  return { cell, stdout: tail(cell.stdout), stderr: tail(cell.stderr) };
}

function matches(cell: StatusCell, selection: Selection): boolean {
  if (selection.all) return true;
  if (selection.model && cell.model !== selection.model && `${cell.model}/${cell.customSettings}` !== selection.model) return false;
  if (!selection.targets?.length) return true;
  return selection.targets.some((target) => target === cell.jobId || target === cell.task || cell.jobIds.includes(target));
}
