import { formatWalltime, JOB_STATES, type JobState, SchedulerSchema } from "@sweval/clusters/schema";
import { JobSchema } from "@sweval/job-renderer/schema";
import { z } from "zod";

export { JOB_STATES, type JobState };

export const LEDGER_KIND = "sweval/ledger-entry";
/** 2: the entry embeds the whole job as the manifest described it, so a resubmission loses nothing. */
export const LEDGER_VERSION = 2;

const entryBase = {
  kind: z.literal(LEDGER_KIND),
  version: z.literal(LEDGER_VERSION),
  at: z.string().describe("ISO time"),
  user: z.string(),
  scheduler: SchedulerSchema,
  cluster: z.string(),
  job: JobSchema.describe("the job as the manifest described it"),
};

/** Written before the submit command runs: if sweval-pbs dies between the two, the next run finds the job by it. */
export const SubmittingEntrySchema = z.object({
  ...entryBase,
  event: z.literal("submitting"),
  token: z.string().describe("pairs this intent with the submitted or not-submitted line that settles it"),
  argv: z.array(z.string()).describe("the exact submit command about to run, dependencies included"),
});

/** A job the scheduler accepted. */
export const SubmittedEntrySchema = z.object({
  ...entryBase,
  event: z.literal("submitted"),
  jobId: z.string(),
  argv: z.array(z.string()).describe("the exact submit command run, dependencies included"),
  token: z.string().optional(),
  recovered: z.boolean().optional().describe("found in the queue after an interrupted submit, not from the submit's answer"),
});

/** An intent that did not become a job (the scheduler refused, or it is not in the queue after an interrupted submit). */
export const NotSubmittedEntrySchema = z.object({ ...entryBase, event: z.literal("not-submitted"), token: z.string(), reason: z.string() });

export const CancelledEntrySchema = z.object({ ...entryBase, event: z.literal("cancelled"), jobId: z.string(), argv: z.array(z.string()) });

/** A job's final state as the board decided it from accounting, kept so later boards ask the scheduler nothing. */
export const SettledEntrySchema = z.object({
  kind: z.literal(LEDGER_KIND),
  version: z.literal(LEDGER_VERSION),
  event: z.literal("settled"),
  at: z.string(),
  scheduler: SchedulerSchema,
  jobId: z.string(),
  state: z.enum(["done", "done_with_errors", "error", "timeout", "deleted"]),
  exitStatus: z.number().nullable(),
  reason: z.string(),
  elapsedSeconds: z
    .number()
    .nullable()
    .optional()
    .describe("how long the job ran, from the scheduler's accounting (absent in lines written before it was kept)"),
});

/** One line of the ledger. The ledger is append-only JSON Lines; each line is one of these events. */
export const LedgerEntrySchema = z.discriminatedUnion("event", [
  SubmittingEntrySchema,
  SubmittedEntrySchema,
  NotSubmittedEntrySchema,
  CancelledEntrySchema,
  SettledEntrySchema,
]);
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;
export type SubmittedEntry = z.infer<typeof SubmittedEntrySchema>;
export type SubmittingEntry = z.infer<typeof SubmittingEntrySchema>;
export type CancelledEntry = z.infer<typeof CancelledEntrySchema>;
export type SettledEntry = z.infer<typeof SettledEntrySchema>;

/** A version 1 line: the job's fields copied one by one (resources, priority and GPU count were not kept). */
export const LedgerEntryV1Schema = z.object({
  kind: z.literal(LEDGER_KIND),
  version: z.literal(1),
  event: z.enum(["submitted", "cancelled"]),
  at: z.string(),
  jobId: z.string(),
  scheduler: SchedulerSchema,
  cluster: z.string(),
  name: z.string(),
  model: z.string(),
  customSettings: z.string().nullable(),
  tasks: z.array(z.string()),
  script: z.string(),
  planPath: z.string(),
  planFingerprint: z.string(),
  stdout: z.string(),
  stderr: z.string(),
  logDir: z.string(),
  walltimeSeconds: z.number().int(),
  argv: z.array(z.string()),
  user: z.string(),
});
export type LedgerEntryV1 = z.infer<typeof LedgerEntryV1Schema>;

/**
 * A version 1 line as version 2. The ledger is history and is never rewritten, so old lines are read this
 * way for ever; what v1 did not record stays unknown (no GPUs asked, the walltime from its seconds).
 */
export function upgradeLedgerEntry(v1: LedgerEntryV1): SubmittedEntry | CancelledEntry {
  return {
    kind: LEDGER_KIND,
    version: LEDGER_VERSION,
    event: v1.event,
    at: v1.at,
    jobId: v1.jobId,
    user: v1.user,
    scheduler: v1.scheduler,
    cluster: v1.cluster,
    argv: v1.argv,
    job: {
      id: v1.script.replace(/\.sh$/, ""),
      name: v1.name,
      after: [],
      model: v1.model,
      litellmModel: v1.model,
      customSettings: v1.customSettings,
      planPath: v1.planPath,
      planFingerprint: v1.planFingerprint,
      script: v1.script,
      tasks: v1.tasks,
      resources: { nodeKind: "", gpus: 0, request: null },
      walltime: formatWalltime(v1.walltimeSeconds),
      walltimeSeconds: v1.walltimeSeconds,
      priority: null,
      costFactor: null,
      logDir: v1.logDir,
      stdout: v1.stdout,
      stderr: v1.stderr,
      submit: { argv: v1.argv },
    },
  };
}

export const STATUS_KIND = "sweval/status";
export const STATUS_VERSION = 1;

/** `sweval-pbs status --json`: one cell per model × task. */
export const StatusBoardSchema = z.object({
  kind: z.literal(STATUS_KIND),
  version: z.literal(STATUS_VERSION),
  at: z.string(),
  cells: z.array(
    z.object({
      model: z.string(),
      customSettings: z.string().nullable(),
      task: z.string(),
      state: z.enum(JOB_STATES),
      jobId: z.string().nullable(),
      jobIds: z.array(z.string()).describe("every submission of this cell, oldest first"),
      elapsedSeconds: z.number().nullable(),
      walltimeSeconds: z.number().nullable(),
      exitStatus: z.number().nullable(),
      reason: z.string().describe("why the state was decided: queue, accounting, or which log line"),
      stdout: z.string().nullable(),
      stderr: z.string().nullable(),
    }),
  ),
});
export type StatusBoard = z.infer<typeof StatusBoardSchema>;
export type StatusCell = StatusBoard["cells"][number];

export const SUBMIT_RESULT_KIND = "sweval/submit-result";
export const SUBMIT_RESULT_VERSION = 1;

/** What one job of a submission came to. */
export const SubmitOutcomeSchema = z.object({
  job: z.string().describe("the job's name"),
  model: z.string(),
  tasks: z.array(z.string()),
  status: z.enum(["submitted", "skipped", "failed", "would-submit"]),
  jobId: z.string().optional(),
  reason: z.string().optional(),
  argv: z.array(z.string()),
});
export type SubmitOutcome = z.infer<typeof SubmitOutcomeSchema>;

/** `sweval-pbs submit`'s stdout. */
export const SubmitResultSchema = z.object({
  kind: z.literal(SUBMIT_RESULT_KIND),
  version: z.literal(SUBMIT_RESULT_VERSION),
  outcomes: z.array(SubmitOutcomeSchema),
});
export type SubmitResult = z.infer<typeof SubmitResultSchema>;
