export { gridEngine, gridEngineState, parseQacct, parseQacctAll, parseQacctJobs, parseQstatXml } from "./dialects/grid-engine.js";
export { dialectFor } from "./dialects/index.js";
export { local } from "./dialects/local.js";
export { parsePbsAccounting, parsePbsAccountingAll, parsePbsQstatJson, pbsPro } from "./dialects/pbs-pro.js";
export { parseSacct, parseSacctAll, parseScontrolJob, parseScontrolJobs, parseSqueue, slurm } from "./dialects/slurm.js";
export type {
  AccountingInfo,
  AccountingQuery,
  BulkAccountingQuery,
  Dialect,
  JobRequest,
  QueueInfo,
  SchedulerAnswer,
  SchedulerControl,
  SubmitContext,
} from "./dialects/types.js";
export { embeddedClustersDir, listClusterProfiles, readClusterProfile } from "./read-cluster-profile.js";
export type { ClusterFacts, ClusterProfile, JobState, NodeKind, NodeKindFacts, Scheduler, Tools } from "./schema.js";
export {
  ClusterFactsSchema,
  ClusterProfileSchema,
  clusterFacts,
  JOB_STATES,
  JobStateSchema,
  NodeKindFactsSchema,
  NodeKindSchema,
  nodeKindFacts,
  SCHEDULERS,
  SchedulerSchema,
} from "./schema.js";
export { durationSeconds, formatWalltime, parseWalltime } from "./walltime.js";
