export { adapterFor } from "./adapters/index.js";
export { createLocalScheduler, localAdapter, localStateDir } from "./adapters/local.js";
export type { AccountingInfo, QueueInfo, SchedulerAdapter } from "./adapters/types.js";
export type { ApiEstimate, CostData, Prices, TaskSamples } from "./api-estimate.js";
export { ApiEstimateSchema, estimateApi, PricesSchema, readCostData, readManifestPlans, TaskSamplesSchema } from "./api-estimate.js";
export { ACTIVE_OR_DONE, ACTIVE_STATES, buildBoard, renderBoard, STATE_ICONS } from "./board.js";
export type { BudgetLimits, BudgetVerdict } from "./budget.js";
export { budgetLimits, checkBudget, parseT4Balance } from "./budget.js";
export { COMPLETION_LINE, deriveState, logPath, readLogs } from "./derive-state.js";
export type { Estimate } from "./estimate.js";
export { ESTIMATE_KIND, ESTIMATE_VERSION, EstimateSchema, estimateManifest, estimateSummary, renderEstimate } from "./estimate.js";
export type { Exec, ExecResult } from "./exec.js";
export { execReal } from "./exec.js";
export { appendLedger, parseLedgerLine, readLedger, submissions, withLedgerLock } from "./ledger.js";
export type { ManageOptions, Selection } from "./manage.js";
export { cancelJobs, jobLogs, resubmitFailed } from "./manage.js";
export type {
  CancelledEntry,
  JobState,
  LedgerEntry,
  LedgerEntryV1,
  SettledEntry,
  StatusBoard,
  StatusCell,
  SubmitOutcome,
  SubmitResult,
  SubmittedEntry,
  SubmittingEntry,
} from "./schema.js";
export {
  JOB_STATES,
  LEDGER_KIND,
  LEDGER_VERSION,
  LedgerEntrySchema,
  LedgerEntryV1Schema,
  STATUS_KIND,
  STATUS_VERSION,
  StatusBoardSchema,
  SUBMIT_RESULT_KIND,
  SUBMIT_RESULT_VERSION,
  SubmitResultSchema,
  upgradeLedgerEntry,
} from "./schema.js";
export type { SubmitOptions } from "./submit.js";
export { dependencyWaves, ledgerPath, reconcileIntents, submitJobs, submitOne, submittedEntry } from "./submit.js";
