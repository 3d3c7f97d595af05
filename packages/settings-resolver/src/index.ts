// Cluster knowledge lives in @sweval/clusters; these re-exports keep the resolver's API as it was.
export { formatWalltime, listClusterProfiles, parseWalltime, readClusterProfile } from "@sweval/clusters";
export type { Layout, ModelSize } from "./layout.js";
export { chooseLayout, legacyLayout, modelSizeOf } from "./layout.js";
export { embeddedDefaultsDir, locateInputs } from "./locate-inputs.js";
export type { ModelMetadata } from "./model-metadata.js";
export { detectModelMetadata, findCachedSnapshot, hubCacheDirs, maxModelLengthFromConfig } from "./model-metadata.js";
export type { ModelSettingsFile, ModelSettingsProfile } from "./model-settings.js";
export { findProfile, parseModelSettings, readModelSettings } from "./model-settings.js";
export type { Provider } from "./providers.js";
export { PROVIDER_TABLE, PROVIDERS, validateModelId } from "./providers.js";
export { classifyParser, decideParser, LIGHTEVAL_REASONING_PARSERS, VLLM_REASONING_PARSERS } from "./reasoning.js";
export { describeSource, renderExplain } from "./render-explain.js";
export { renderLegacySettings } from "./render-legacy-settings.js";
export type { ModelRequest, ResolvePlanOptions } from "./resolve-plan.js";
export { fingerprintPlan, parseModelsFile, resolvePlan, resolvePlans } from "./resolve-plan.js";
export type { ClusterProfile, NodeKind, Plan, PlanTask, ProviderLimits, ResolvedValue, RunPaths, Source } from "./schema.js";
export {
  ClusterProfileSchema,
  GENERATION_PARAMS,
  PLAN_KIND,
  PLAN_VERSION,
  PlanSchema,
  PlanTaskSchema,
  PROVIDER_LIMITS_KIND,
  PROVIDER_LIMITS_VERSION,
  ProviderLimitsSchema,
  runPaths,
  SourceSchema,
  SUPPORTED_PARAMS,
} from "./schema.js";
export type { TaskSettings, TaskSettingsRow } from "./task-settings.js";
export { parseTaskSettings, readTaskSettings } from "./task-settings.js";
export type { TaskRuntimeRow, TasksRuntime, WalltimeColumn } from "./tasks-runtime.js";
export { parseTasksRuntime, readTasksRuntime } from "./tasks-runtime.js";
export type { PlanWarning, WarningCode } from "./warnings.js";
export { CONFIRM_CODES } from "./warnings.js";
