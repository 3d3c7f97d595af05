import { z } from "zod";

export const LEDGER_KIND = "sweval/ledger-entry";
export const LEDGER_VERSION = 1;

/** One line of the ledger: a submission or a cancellation. The ledger is append-only JSON Lines. */
export const LedgerEntrySchema = z.object({
  kind: z.literal(LEDGER_KIND),
  version: z.literal(LEDGER_VERSION),
  event: z.enum(["submitted", "cancelled"]),
  at: z.string().describe("ISO time"),
  jobId: z.string(),
  scheduler: z.enum(["grid-engine", "pbs-pro", "slurm", "local"]),
  cluster: z.string(),
  name: z.string(),
  model: z.string(),
  customSettings: z.string().nullable(),
  tasks: z.array(z.string()),
  script: z.string(),
  planPath: z.string(),
  planFingerprint: z.string(),
  stdout: z.string().describe("log path; {jobId} stands for jobId"),
  stderr: z.string(),
  logDir: z.string(),
  walltimeSeconds: z.number().int(),
  argv: z.array(z.string()).describe("the exact submit command"),
  user: z.string(),
});
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

export const JOB_STATES = [
  "not_submitted",
  "queued",
  "transferring",
  "running",
  "done",
  "done_with_errors",
  "error",
  "timeout",
  "deleted",
] as const;
export type JobState = (typeof JOB_STATES)[number];

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
