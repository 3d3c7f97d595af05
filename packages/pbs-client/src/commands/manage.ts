import { type Io, renderJson } from "@sweval/core";
import { cancelJobs, jobLogs, resubmitFailed } from "../manage.js";
import { type CommonFlags, manageOptions } from "./common.js";

/** `sweval-pbs cancel`: the cancelled cells as a sweval/cancel-result document. */
export async function cancelCommand(targets: string[], flags: CommonFlags & { model?: string; all?: boolean }, io: Io): Promise<void> {
  const cells = await cancelJobs({ ...manageOptions(flags, io), selection: { targets, model: flags.model, all: flags.all } });
  io.stdout.write(
    renderJson({
      kind: "sweval/cancel-result",
      version: 1,
      cancelled: cells.map((c) => ({ model: c.model, task: c.task, jobId: c.jobId })),
    }),
  );
}

/** `sweval-pbs resubmit --failed`: what was resubmitted, with the job it replaced. */
export async function resubmitCommand(flags: CommonFlags & { model?: string; dryRun?: boolean }, io: Io): Promise<void> {
  const outcomes = await resubmitFailed({
    ...manageOptions(flags, io),
    selection: flags.model ? { model: flags.model } : undefined,
    dryRun: flags.dryRun,
  });
  const resubmitted = outcomes.map((o) => ({
    model: o.cell.model,
    task: o.cell.task,
    was: o.cell.jobId,
    jobId: o.jobId ?? null,
    argv: o.argv,
  }));
  io.stdout.write(renderJson({ kind: "sweval/resubmit-result", version: 1, resubmitted }));
}

/** `sweval-pbs logs MODEL TASK`: the latest job's log paths and last lines. */
export async function logsCommand(model: string, task: string, flags: CommonFlags & { lines: number }, io: Io): Promise<void> {
  const { cell, stdout, stderr } = await jobLogs({ ...manageOptions(flags, io), model, task, lines: flags.lines });
  io.stdout.write(
    `# ${cell.model} ${cell.task}: ${cell.state} (job ${cell.jobId}; ${cell.reason})\n# stdout: ${cell.stdout}\n${stdout ?? "(no file)"}\n# stderr: ${cell.stderr}\n${stderr ?? "(no file)"}\n`,
  );
}
