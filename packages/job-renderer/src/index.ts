export { loadProfiles, parsePlans } from "./read-plans.js";
export type { JobCommand, RenderedFile, RenderJobsOptions, RenderJobsResult } from "./render-jobs.js";
export { packTasks, planDirName, renderJobScript, renderJobs } from "./render-jobs.js";
export type { Job, JobsManifest } from "./schema.js";
export { JOBS_KIND, JOBS_VERSION, JobSchema, JobsManifestSchema } from "./schema.js";
export { writeJobs } from "./write-jobs.js";
