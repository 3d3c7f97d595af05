export type { RunHistory, TaskHistory } from "./learned-walltime.js";
export { historyKey, learnedWalltime, quantile, readHistoryFor, readRunHistory, sizeClassOf } from "./learned-walltime.js";
export { parsePlans } from "./read-plans.js";
export type { JobCommand, JobContext, RenderedFile, RenderJobsOptions, RenderJobsResult } from "./render-jobs.js";
export { packTasks, planDirName, renderJobScript, renderJobs } from "./render-jobs.js";
export { groupFromEnvironment } from "./resolve-group.js";
export { resolveJobTools } from "./resolve-tools.js";
export type { Job, JobsManifest, JobTools, WalltimeFrom } from "./schema.js";
export {
  COMPLETION_LINE,
  JOBS_KIND,
  JOBS_VERSION,
  JobSchema,
  JobsManifestSchema,
  JobsManifestV1Schema,
  JobToolsSchema,
  LedgerRunLineSchema,
  parseJobsManifest,
  scriptId,
} from "./schema.js";
export { writeJobs } from "./write-jobs.js";
