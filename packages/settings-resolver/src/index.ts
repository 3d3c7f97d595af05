export { resolvePlan, resolvePlans, parseModelsFile, fingerprintPlan } from "./resolve-plan.js";
export type { ResolvePlanOptions, ModelRequest } from "./resolve-plan.js";
export { parseTasksRuntime, readTasksRuntime, parseWalltime, formatWalltime } from "./tasks-runtime.js";
export type { TasksRuntime, TaskRuntimeRow, WalltimeColumn } from "./tasks-runtime.js";
export { parseTaskSettings, readTaskSettings } from "./task-settings.js";
export type { TaskSettings, TaskSettingsRow } from "./task-settings.js";
export { parseModelSettings, readModelSettings, findProfile } from "./model-settings.js";
export type { ModelSettingsFile, ModelSettingsProfile } from "./model-settings.js";
export { detectModelMetadata, maxModelLengthFromConfig, findCachedSnapshot, hubCacheDirs } from "./model-metadata.js";
export type { ModelMetadata } from "./model-metadata.js";
export { decideParser, classifyParser, VLLM_REASONING_PARSERS, LIGHTEVAL_REASONING_PARSERS } from "./reasoning.js";
export { PROVIDER_TABLE, PROVIDERS, validateModelId } from "./providers.js";
export type { Provider } from "./providers.js";
export { locateInputs, readClusterProfile, listClusterProfiles, embeddedDefaultsDir } from "./locate-inputs.js";
export { renderExplain, describeSource } from "./render-explain.js";
export {
  PlanSchema,
  PlanTaskSchema,
  ClusterProfileSchema,
  SourceSchema,
  PLAN_KIND,
  PLAN_VERSION,
  SUPPORTED_PARAMS,
  GENERATION_PARAMS,
} from "./schema.js";
export type { Plan, PlanTask, ClusterProfile, NodeKind, Source, ResolvedValue } from "./schema.js";
