import { ClusterFactsSchema, NodeKindFactsSchema } from "@sweval/clusters/schema";
import { CONTROL_CHARACTERS_MESSAGE, hasControlCharacters, SAFE_NAME, TASK_KEY } from "@sweval/core";
import { z } from "zod";

// What reaches job scripts, directives and paths is held here too, so a hand-edited plan is refused at the
// boundary (exit 2, naming the field) instead of reaching a shell. Free text (system messages, generation
// literals) is not restricted: it only ever travels quoted or serialized.
const pathText = () => z.string().refine((text) => !hasControlCharacters(text), CONTROL_CHARACTERS_MESSAGE);
const safeName = () => z.string().regex(SAFE_NAME, 'letters, digits, ".", "_" or "-" only');
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const PLAN_KIND = "sweval/plan";
/** 2: the plan carries its cluster's facts (cluster, nodeKind), so nothing re-reads the profile. */
export const PLAN_VERSION = 2;

/** Which layer set a resolved value. */
export const SourceSchema = z.discriminatedUnion("layer", [
  z.object({
    layer: z.literal("profile"),
    file: z.string().describe("the custom model settings YAML"),
    setting: z.string().describe("the named profile inside it"),
    line: z.number().int().optional(),
  }),
  z.object({
    layer: z.literal("task_settings"),
    file: z.string(),
    key: z.string().describe("the lighteval task name the row is keyed by"),
    line: z.number().int().optional(),
  }),
  z.object({ layer: z.literal("tasks_runtime"), file: z.string(), key: z.string(), column: z.string(), line: z.number().int().optional() }),
  z.object({ layer: z.literal("auto-detected"), file: z.string().describe("the model file the value was read from") }),
  z.object({ layer: z.literal("cluster"), file: z.string(), field: z.string() }),
  z.object({ layer: z.literal("cli"), flag: z.string() }),
  z.object({ layer: z.literal("provider-limits"), file: z.string() }),
  z.object({ layer: z.literal("default"), note: z.string().optional() }),
  z.object({ layer: z.literal("deferred"), reason: z.string().describe("why the value is left to the runner at job start") }),
]);
export type Source = z.infer<typeof SourceSchema>;

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** A resolved value with the layer that set it. `literal` is the text the legacy tools wrote into YAML. */
export const ResolvedValueSchema = z.object({
  value: scalar.nullable(),
  literal: z.string().optional(),
  source: SourceSchema,
});
export type ResolvedValue = z.infer<typeof ResolvedValueSchema>;

export const GENERATION_PARAMS = ["max_new_tokens", "temperature", "top_p", "max_n", "reasoning_effort"] as const;
/** setting_manager.py's SUPPORTED_PARAMS, in its merge order. */
export const SUPPORTED_PARAMS = [
  "system_message",
  "max_model_length",
  "max_new_tokens",
  "temperature",
  "top_p",
  "max_n",
  "reasoning_parser",
  "vllm_use_v1",
  "reasoning_effort",
] as const;
export type SupportedParam = (typeof SUPPORTED_PARAMS)[number];

export const ParserRoutingSchema = z.object({
  parser: z.string().nullable().describe("the reasoning parser setting as resolved (null when none)"),
  vllmParser: z.string().nullable().describe("passed as `vllm serve --reasoning-parser`"),
  lightevalParser: z.string().nullable().describe("written as lighteval base_params.reasoning_parser"),
  decision: z.string().describe("which row of the decision table applied"),
  checkAtJobStart: z.boolean().describe("true when the think-tag check is deferred to the runner"),
});

export const CheckoutFactsSchema = z
  .object({
    vllm: z.object({ version: z.string().nullable(), source: pathText().nullable() }).describe("the vLLM the checkout's lock pins"),
    python: z.object({ version: z.string().nullable(), source: pathText().nullable() }).describe("requires-python =="),
    reasoningParserPlugin: z
      .object({ loader: pathText(), dir: pathText(), parsers: z.array(z.string().regex(/^[A-Za-z0-9_]+$/)) })
      .nullable()
      .describe("V5's multi_parser_loader.py, passed as vllm serve --reasoning-parser-plugin, and the names it registers"),
    aggregateConf: z.object({ name: safeName(), source: pathText() }).nullable().describe("the table matching the checkout's conf.py"),
    legacyTakesTrustRemoteCode: z.boolean(),
  })
  .describe("what the evaluation checkout (REPO_PATH) pins and ships; null where it does not say");
export type CheckoutFactsDocument = z.infer<typeof CheckoutFactsSchema>;

export const PlanTaskSchema = z.object({
  key: z
    .string()
    .regex(TASK_KEY, 'letters, digits, ".", "_", "+" or "-" only')
    .describe("<lang>_<task>, the tasks_runtime.csv key and job name"),
  lang: z.string(),
  task: z.string(),
  lightevalTask: z.string().describe("tasks_runtime.csv column `script`"),
  taskDef: z.string().describe('the lighteval task argument, e.g. "swallow|gpqa:diamond|0|0"'),
  framework: z.string(),
  resultDir: pathText().describe("relative dir under the model's results dir, e.g. en/gpqa_diamond"),
  logDir: pathText().describe("absolute dir for the scheduler and vLLM logs"),
  modelConfigPath: pathText().describe("where the runner writes lighteval's model config YAML"),
  walltime: z.object({
    value: z.string().regex(/^\d{1,3}:[0-5]\d:[0-5]\d$/, "HH:MM:SS"),
    seconds: z.number().int(),
    source: SourceSchema,
  }),
  systemMessage: ResolvedValueSchema,
  maxModelLength: ResolvedValueSchema,
  vllmUseV1: ResolvedValueSchema,
  reasoningParser: ResolvedValueSchema,
  generation: z.record(z.string(), ResolvedValueSchema).describe("only the params that are set, in YAML order"),
  parserRouting: ParserRoutingSchema,
});
export type PlanTask = z.infer<typeof PlanTaskSchema>;

export const PlanSchema = z.object({
  kind: z.literal(PLAN_KIND),
  version: z.literal(PLAN_VERSION),
  generator: z.object({ name: z.string(), version: z.string() }),
  model: z.object({
    id: z.string().regex(MODEL_ID, '<org>/<name>, each of letters, digits, ".", "_" or "-"'),
    org: safeName(),
    name: safeName(),
    path: pathText().nullable(),
  }),
  provider: z.enum(["vllm", "openai", "deepinfra", "openrouter"]),
  litellmModel: pathText().describe("the litellm model string, e.g. hosted_vllm/<org>/<model>"),
  apiBase: z.string().nullable().describe("null for vllm (the runner fills in its port) and openrouter"),
  apiKeyEnv: z.string().nullable().describe("the environment variable the runner reads the key from; never the key"),
  cluster: ClusterFactsSchema.describe("what the job needs of the cluster profile, resolved when the plan was made"),
  nodeKind: NodeKindFactsSchema,
  customSettings: z
    .object({ name: safeName(), path: pathText(), version: pathText() })
    .nullable()
    .describe("null when no custom settings are used"),
  mergeStrategy: z.enum(["model-first", "task-first"]),
  maxSamples: z.number().int().positive().nullable(),
  checkout: CheckoutFactsSchema,
  suite: z
    .object({ name: z.string(), file: pathText() })
    .nullable()
    .describe("what `--tasks all` meant: a suite file or the checkout's qsub_all.sh; null: every tasks_runtime.csv row"),
  trustRemoteCode: ResolvedValueSchema.describe("vllm serve --trust-remote-code (V5 TRUST_REMOTE_CODE)"),
  aggregateConf: z.string().describe("the aggregation table (name or file) the jobs aggregate with"),
  copyDetails: z
    .object({ dir: pathText() })
    .nullable()
    .describe("V5's COPY_DETAILS (ABCI): after aggregating, the job copies its tasks' newest details here, group-readable"),
  uploadDetails: z
    .object({ org: safeName() })
    .nullable()
    .describe("V5's UPLOAD_DETAILS: lighteval --push-to-hub --results-org <org> (a private dataset per model)"),
  layout: z
    .object({
      tensorParallel: z.number().int().positive(),
      dataParallel: z.number().int().positive().describe("vLLM --data-parallel-size: replicas of the model on the node"),
      parameters: z.number().describe("the model's parameters, from its safetensors index or its id"),
      sizeSource: z.string(),
      why: z.string(),
      legacy: z
        .object({
          nodeKind: z.string(),
          tensorParallel: z.number().int(),
          walltimes: z.record(z.string(), z.number().int()).describe("each task's static walltime on the legacy node kind, seconds"),
        })
        .nullable()
        .describe("the legacy sizing guide's choice (≤ 13B node_q / rt_HG, else node_f / rt_HF), for the estimate"),
    })
    .optional()
    .describe("set by --layout auto: the node kind, tensor and data parallelism chosen from the model's size"),
  modelMetadata: z.object({
    maxModelLength: ResolvedValueSchema.describe("min(32768, the model's context length)"),
    hasThinkTag: ResolvedValueSchema,
    chatTemplateThinkingSwitch: ResolvedValueSchema,
  }),
  inputs: z.object({
    tasksRuntime: pathText(),
    taskSettings: pathText(),
    customModelSettingsDir: pathText(),
  }),
  paths: z.object({
    repoPath: pathText(),
    storePath: pathText().describe("V5's STORE_PATH: results/ and lighteval/outputs/ go under it (default: repoPath)"),
    resultsDir: pathText().describe("<store>/results/<provider_subdir><org>/<model>[/<custom>]"),
    rawOutputDir: pathText().describe("<store>/lighteval/outputs"),
    rawResultsDir: pathText(),
    rawDetailsDir: pathText(),
    outputSubdir: pathText().describe('lighteval --output-subdir: "" or "/<custom>"'),
    aggregatedResults: pathText(),
  }),
  fingerprint: z
    .string()
    .regex(/^[0-9a-f]{16}$/, "16 hex digits")
    .describe("sha256 (16 hex) over every resolved setting; equal plans run the same evaluation"),
  warnings: z.array(z.string()),
  tasks: z.array(PlanTaskSchema).min(1),
});
export type Plan = z.infer<typeof PlanSchema>;

// Cluster profiles are owned by @sweval/clusters; re-exported here for the resolver's API users.
export { type ClusterProfile, ClusterProfileSchema, type NodeKind, NodeKindSchema } from "@sweval/clusters/schema";
export { builtInReasoningParsers, readsVllmUseV1 } from "./checkout.js";
export { parametersInModelId } from "./model-id-size.js";
export { type RunPaths, runPaths } from "./run-paths.js";

// --- conf/provider_limits.json: what `sweval-run probe` measured, read by the resolver for max_n ---

export const PROVIDER_LIMITS_KIND = "sweval/provider-limits";
export const PROVIDER_LIMITS_VERSION = 1;

/**
 * The resolver's input (like task_settings.csv), so the resolver owns its schema; `sweval-run probe` writes
 * it through this schema. Keys are `<provider>/<model>`.
 */
export const ProviderLimitsSchema = z.object({
  kind: z.literal(PROVIDER_LIMITS_KIND),
  version: z.literal(PROVIDER_LIMITS_VERSION),
  limits: z.record(
    z.string(),
    z.object({
      maxN: z.number().int().positive().describe("the largest n the endpoint answered in one request"),
      latencyMs: z.number().optional(),
      baseUrl: z.string().nullable().optional(),
      probedAt: z.string().optional(),
    }),
  ),
});
export type ProviderLimits = z.infer<typeof ProviderLimitsSchema>;
