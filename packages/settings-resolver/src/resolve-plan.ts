import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type ClusterProfile, clusterFacts, nodeKindFacts, parseWalltime, readClusterProfile } from "@sweval/clusters";
import { didYouMean, InputError, parseDocument, parseJsonText, readPackageVersion, SAFE_NAME } from "@sweval/core";
import { builtInReasoningParsers, type CheckoutFacts, PLUGIN_DIR, readCheckout, readsVllmUseV1 } from "./checkout.js";
import { chooseLayout, type Layout, legacyLayout, type ModelSize, modelSizeOf } from "./layout.js";
import { locateInputs } from "./locate-inputs.js";
import { detectModelMetadata, type ModelMetadata } from "./model-metadata.js";
import { findProfile, type ModelSettingsProfile } from "./model-settings.js";
import { PROVIDER_TABLE, type Provider, validateModelId, validateSettingName } from "./providers.js";
import { decideParser, PLUGIN_ONLY_PARSERS } from "./reasoning.js";
import {
  GENERATION_PARAMS,
  PLAN_KIND,
  PLAN_VERSION,
  type Plan,
  type PlanTask,
  PROVIDER_LIMITS_KIND,
  PROVIDER_LIMITS_VERSION,
  ProviderLimitsSchema,
  type ResolvedValue,
  SUPPORTED_PARAMS,
  type SupportedParam,
} from "./schema.js";
import { checkoutSuite, readSuite, type Suite } from "./suites.js";
import { readTaskSettings, type TaskSettings, type TaskSettingsRow } from "./task-settings.js";
import { readTasksRuntime, type TaskRuntimeRow, type TasksRuntime } from "./tasks-runtime.js";
import { CONFIRM_CODES, confirmWarning, type PlanWarning } from "./warnings.js";

export interface ResolvePlanOptions {
  /** Hugging Face model id `<org>/<name>` (`openai/<name>` for openai). */
  model: string;
  /** A local model directory to read config.json/tokenizer files from instead of the HF cache. */
  modelPath?: string | null;
  /** @default "vllm" */
  provider?: Provider;
  /** Cluster profile name (conf/clusters/NAME.yaml) or path. @default "local" */
  cluster?: string;
  /** @default the profile's defaultNodeKind */
  nodeKind?: string | null;
  /** Setting name in the model's custom settings YAML; null for none. @default null */
  customSettings?: string | null;
  /** Task keys, globs like `ja_*`, or `all`. @default ["all"] */
  tasks?: string[];
  /**
   * What `all` means: a suite name (conf/suites/<name>.yaml, embedded swallow-v202508 / swallow-v202604), a suite
   * file, or a legacy qsub_all.sh. @default the checkout's scripts/qsub/qsub_all.sh under root, else every row of tasks_runtime.csv
   */
  suite?: string | null;
  /** @default "model-first" */
  mergeStrategy?: "model-first" | "task-first";
  /** Passed to lighteval --max-samples (debug). @default null */
  maxSamples?: number | null;
  /** Where conf/ and generation_settings/ are looked up. @default cwd */
  root?: string;
  /** The legacy REPO_PATH: the checkout the jobs run in. @default env.REPO_PATH ?? root */
  repoPath?: string | null;
  /**
   * V5's STORE_PATH: where results/ (logs, aggregated_results.json) and lighteval/outputs/ go. The legacy puts logs
   * there and outputs under REPO_PATH unless its setup script linked them; sweval puts both there. @default env.STORE_PATH ?? repoPath
   */
  storePath?: string | null;
  tasksRuntime?: string | null;
  taskSettings?: string | null;
  customModelSettingsDir?: string | null;
  /** vllm serve --trust-remote-code. @default $TRUST_REMOTE_CODE ("true" or "false"), else false */
  trustRemoteCode?: boolean | null;
  /** The aggregation table the jobs use. @default the one matching the checkout's conf.py, else swallow-v202508 */
  aggregateConf?: string | null;
  /** Copy each job's details to this shared dir after aggregating (V5's COPY_DETAILS, ABCI only). @default $COPY_DETAILS=true: the team's share */
  copyDetails?: string | true | null;
  /** Push the details to the Hub under this org (V5's UPLOAD_DETAILS). @default $UPLOAD_DETAILS=true: tokyotech-llm, else none */
  uploadDetails?: string | null;
  /**
   * auto: choose the node kind (unless one is given), tensor and data parallelism from the model's size, the cheapest
   * that fits (vLLM models only). @default null: the node kind's GPUs, tensor-parallel, as the legacy
   */
  layout?: "auto" | null;
  /** Never download model files from the Hub. @default false */
  offline?: boolean;
  /** Turn the manual's "check with a person" warnings into errors. @default false */
  strict?: boolean;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** @default process.cwd() */
  cwd?: string;
  fetch?: typeof globalThis.fetch;
}

const GENERATOR = { name: "@sweval/settings-resolver", version: readPackageVersion(import.meta.url) };

/** Resolves one model × tasks into a sweval/plan: every value with the layer that set it. */
export async function resolvePlan(options: ResolvePlanOptions): Promise<Plan> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const root = resolve(cwd, options.root ?? env.SWEVAL_ROOT ?? ".");
  const provider = options.provider ?? "vllm";
  if (!PROVIDER_TABLE[provider]) {
    throw new InputError(`unknown provider "${provider}"${didYouMean(provider, Object.keys(PROVIDER_TABLE))}`, {
      code: "E_PROVIDER",
      field: "--provider",
    });
  }
  const providerInfo = PROVIDER_TABLE[provider];
  const { org, name } = validateModelId(options.model, provider);
  const customName = options.customSettings || null;
  if (customName) validateSettingName(customName);

  const { profile: cluster, path: clusterPath } = await readClusterProfile(options.cluster ?? "local", root);
  const asked = options.nodeKind ? resolveNodeKindName(options.nodeKind, cluster, clusterPath) : null;
  const sized = options.layout === "auto" && provider === "vllm" ? sizeLayout(options, cluster, asked, env) : null;
  const nodeKindName = sized?.layout.nodeKind ?? asked ?? resolveNodeKindName(cluster.defaultNodeKind, cluster, clusterPath);
  const nodeKind = cluster.nodeKinds[nodeKindName];
  if (!nodeKind) throw new Error("unreachable: node kind checked above");
  checkProviderNode(provider, nodeKindName, nodeKind.gpus, clusterPath);

  const inputs = locateInputs({ root, ...pickDefined(options, ["tasksRuntime", "taskSettings", "customModelSettingsDir"]) });
  const [tasksRuntime, taskSettings] = await Promise.all([readTasksRuntime(inputs.tasksRuntime), readTaskSettings(inputs.taskSettings)]);
  const warnings: PlanWarning[] = [];
  let profile: ModelSettingsProfile | null = null;
  if (customName) {
    const found = await findProfile({ dir: inputs.customModelSettingsDir, modelId: options.model, setting: customName });
    profile = found.profile;
    warnings.push(...found.warnings.map((message) => ({ code: "settings-file" as const, message })));
  }

  const metadata: ModelMetadata =
    provider === "vllm"
      ? await detectModelMetadata({
          modelId: options.model,
          modelPath: options.modelPath,
          env,
          offline: options.offline,
          fetch: options.fetch,
        })
      : notApplicableMetadata();
  if (provider === "vllm" && metadata.maxModelLength.source.layer === "deferred") {
    warnings.push({
      code: "metadata-deferred",
      message: `model files not available (${metadata.notes.join("; ")}): max model length and think tag will be detected by the runner at job start`,
    });
  }

  const suite = options.suite ? readSuite(options.suite, root) : checkoutSuite(root);
  const keys = selectTasks(options.tasks ?? ["all"], tasksRuntime, suite);
  const repoPath = resolve(cwd, options.repoPath ?? env.REPO_PATH ?? root);
  const checkout = readCheckout(repoPath);
  const litellmModel = providerInfo.litellmModel(options.model);
  const customSubdir = customName ? `/${customName}` : "";
  const storePath = resolve(cwd, options.storePath ?? (env.STORE_PATH || repoPath));
  const resultsDir = `${storePath}/results/${providerInfo.resultsSubdir}${options.model}${customSubdir}`;
  const rawOutputDir = `${storePath}/lighteval/outputs`;
  const rawResultsDir = `${rawOutputDir}/results/${litellmModel}${customSubdir}`;
  const mergeStrategy = options.mergeStrategy ?? "model-first";

  const limits = readProviderLimits(root, provider, options.model);
  const tasks = keys.map((key) => {
    const row = tasksRuntime.byKey.get(key);
    if (!row) throw new Error(`unreachable: task ${key} selected but missing`);
    return resolveTask({
      row,
      tasksRuntime,
      taskSettings,
      profile,
      mergeStrategy,
      metadata,
      provider,
      nodeKindColumn: nodeKind.walltimeColumn,
      maxWalltime: nodeKind.maxWalltime,
      resultsDir,
      rawResultsDir,
      warnings,
      limits,
      checkout,
    });
  });

  addThinkingSwitchWarning(metadata, tasks, warnings);
  if (options.strict) {
    const strictProblems = warnings.filter((w) => CONFIRM_CODES.has(w.code)).map((w) => w.message);
    if (strictProblems.length > 0) {
      throw new InputError(`${strictProblems[0]}${strictProblems.length > 1 ? ` (and ${strictProblems.length - 1} more)` : ""}`, {
        code: "E_STRICT",
        hint: "drop --strict to accept these as warnings",
      });
    }
  }

  const plan: Plan = {
    kind: PLAN_KIND,
    version: PLAN_VERSION,
    generator: GENERATOR,
    model: { id: options.model, org, name, path: options.modelPath ? resolve(cwd, options.modelPath) : null },
    provider,
    litellmModel,
    apiBase: providerInfo.apiBase,
    apiKeyEnv: providerInfo.apiKeyEnv,
    cluster: clusterFacts(cluster, clusterPath),
    nodeKind: nodeKindFacts(nodeKindName, nodeKind),
    ...(sized ? { layout: planLayout(sized, tasksRuntime, tasks, cluster) } : {}),
    checkout,
    suite: suite ? { name: suite.name, file: suite.file } : null,
    trustRemoteCode: resolveTrustRemoteCode(options.trustRemoteCode, env),
    aggregateConf: options.aggregateConf ?? checkout.aggregateConf?.name ?? "swallow-v202508",
    uploadDetails: resolveUploadDetails(options.uploadDetails, env),
    copyDetails: resolveCopyDetails(options.copyDetails, env, cluster.legacyService, clusterPath, cwd),
    customSettings: profile ? { name: profile.name, path: profile.file, version: profile.version } : null,
    mergeStrategy,
    maxSamples: options.maxSamples ?? null,
    modelMetadata: {
      maxModelLength: metadata.maxModelLength,
      hasThinkTag: metadata.hasThinkTag,
      chatTemplateThinkingSwitch: metadata.chatTemplateThinkingSwitch,
    },
    inputs,
    paths: {
      repoPath,
      storePath,
      resultsDir,
      rawOutputDir,
      rawResultsDir,
      rawDetailsDir: `${rawOutputDir}/details/${litellmModel}${customSubdir}`,
      outputSubdir: customSubdir,
      aggregatedResults: `${resultsDir}/aggregated_results.json`,
    },
    fingerprint: "",
    warnings: warnings.map((w) => w.message),
    tasks,
  };
  plan.fingerprint = fingerprintPlan(plan);
  return plan;
}

/** A request for one model in a multi-model call. */
export interface ModelRequest {
  model: string;
  nodeKind?: string | null;
  customSettings?: string | null;
}

/** Resolves several models with shared options; one plan per model, in order. */
export async function resolvePlans(models: ModelRequest[], options: Omit<ResolvePlanOptions, "model">): Promise<Plan[]> {
  const plans: Plan[] = [];
  for (const request of models) {
    plans.push(
      await resolvePlan({
        ...options,
        model: request.model,
        nodeKind: request.nodeKind ?? options.nodeKind,
        customSettings: request.customSettings === undefined ? options.customSettings : request.customSettings,
      }),
    );
  }
  return plans;
}

/**
 * Reads V5's generation_settings.json: `{ "<hf id>": { "node_kind": "rt_HG", "custom_settings"?: "<name>" } }`.
 */
export function parseModelsFile(text: string, file: string): ModelRequest[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError(`malformed JSON: ${(error as Error).message}`, { code: "E_JSON", file, cause: error });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new InputError("expected an object of model id → { node_kind, custom_settings? }", { code: "E_SCHEMA", file });
  }
  return Object.entries(raw as Record<string, unknown>).map(([model, value]) => {
    const entry = (value ?? {}) as Record<string, unknown>;
    if (typeof entry !== "object" || (entry.node_kind !== undefined && typeof entry.node_kind !== "string")) {
      throw new InputError("expected { node_kind: string, custom_settings?: string }", { code: "E_SCHEMA", file, field: model });
    }
    const custom = entry.custom_settings;
    return {
      model,
      nodeKind: (entry.node_kind as string | undefined) ?? null,
      customSettings: typeof custom === "string" && custom !== "" ? custom : undefined,
    };
  });
}

/**
 * sha256 over what decides what a job does: the settings, and the cluster facts the job runs with (directives,
 * setup lines, tool commands, node kind), so a profile edited after resolving makes a different plan. Paths are
 * left out: the same evaluation in another checkout has the same fingerprint.
 */
export function fingerprintPlan(plan: Plan): string {
  // Where the profile was, whether the login node pre-downloads and what the site charges change nothing a job does.
  const { profilePath: _path, predownload: _predownload, costs: _costs, ...cluster } = plan.cluster;
  const essence = {
    cluster,
    nodeKind: plan.nodeKind,
    model: plan.model.id,
    provider: plan.provider,
    customSettings: plan.customSettings ? { name: plan.customSettings.name, version: plan.customSettings.version } : null,
    mergeStrategy: plan.mergeStrategy,
    maxSamples: plan.maxSamples,
    // What the checkout makes a job do differently; left out while it says nothing, so plans made before stay equal.
    ...(plan.trustRemoteCode.value === true ? { trustRemoteCode: true } : {}),
    ...(plan.aggregateConf !== "swallow-v202508" ? { aggregateConf: plan.aggregateConf } : {}),
    ...(checkoutEssence(plan.checkout) ? { checkout: checkoutEssence(plan.checkout) } : {}),
    tasks: plan.tasks.map((task) => ({
      key: task.key,
      lightevalTask: task.lightevalTask,
      systemMessage: task.systemMessage.value,
      maxModelLength: task.maxModelLength.value,
      vllmUseV1: task.vllmUseV1.value,
      parser: [task.parserRouting.vllmParser, task.parserRouting.lightevalParser],
      generation: Object.entries(task.generation).map(([k, v]) => [k, v.literal ?? v.value]),
    })),
  };
  return createHash("sha256").update(JSON.stringify(essence)).digest("hex").slice(0, 16);
}

// --- internal ---

function checkoutEssence(checkout: Plan["checkout"]) {
  const essence = {
    vllm: checkout.vllm.version,
    python: checkout.python.version,
    plugin: checkout.reasoningParserPlugin?.parsers ?? null,
    legacyTrustRemoteCode: checkout.legacyTakesTrustRemoteCode || null,
  };
  return Object.values(essence).some((value) => value !== null) ? essence : null;
}

/** conf/provider_limits.json as `sweval-run probe` writes it: the largest n an endpoint accepted. */
function readProviderLimits(root: string, provider: string, model: string): { file: string; maxN: number } | null {
  const file = join(root, "conf", "provider_limits.json");
  if (!existsSync(file)) return null;
  const document = parseDocument(
    ProviderLimitsSchema,
    parseJsonText(readFileSync(file, "utf8"), file),
    { kind: PROVIDER_LIMITS_KIND, version: PROVIDER_LIMITS_VERSION },
    file,
  );
  const maxN = document.limits[`${provider}/${model}`]?.maxN;
  return maxN ? { file, maxN } : null;
}

interface ResolveTaskContext {
  row: TaskRuntimeRow;
  tasksRuntime: TasksRuntime;
  taskSettings: TaskSettings;
  profile: ModelSettingsProfile | null;
  mergeStrategy: "model-first" | "task-first";
  metadata: ModelMetadata;
  provider: Provider;
  nodeKindColumn: "hrt_q" | "hrt_f" | "wlt_HG" | "wlt_HF";
  maxWalltime: string | undefined;
  resultsDir: string;
  rawResultsDir: string;
  warnings: PlanWarning[];
  limits: { file: string; maxN: number } | null;
  checkout: CheckoutFacts;
}

function resolveTask(context: ResolveTaskContext): PlanTask {
  const { row, taskSettings, profile, mergeStrategy, metadata, provider } = context;
  const settingsRow = taskSettings.byKey.get(row.script);
  if (!settingsRow) {
    throw new InputError(
      `no row for lighteval task "${row.script}" (tasks_runtime key ${row.key})${didYouMean(row.script, taskSettings.byKey.keys())}`,
      {
        code: "E_NO_TASK_SETTINGS",
        file: taskSettings.file,
        field: "key",
        hint: `add a line like ${row.script},"temperature=0.0" (the manual's default for a new task)`,
      },
    );
  }
  const merged = mergeParams(settingsRow, taskSettings.file, profile, mergeStrategy);
  // What `sweval-run probe` measured stands in for a person editing max_n into the profile (manual §3.5).
  if (!merged.max_n && context.limits) {
    merged.max_n = {
      value: context.limits.maxN,
      literal: String(context.limits.maxN),
      source: { layer: "provider-limits", file: context.limits.file },
    };
  }
  const [lang = "", ...rest] = row.key.split("_");
  const walltime = resolveWalltime(context);
  const parserValue = merged.reasoning_parser;
  const decision = decideParser({
    parser: parserValue ? String(parserValue.value) : null,
    hasThinkTag: typeof metadata.hasThinkTag.value === "boolean" ? metadata.hasThinkTag.value : null,
    provider,
    at: locationOf(parserValue, "reasoning_parser"),
  });
  if (decision.warning) context.warnings.push({ code: "reasoning-parser", message: `${row.key}: ${decision.warning}` });
  if (decision.vllmParser)
    checkParserAvailable(decision.vllmParser, context.checkout, locationOf(parserValue, "reasoning_parser"), context.warnings);
  const vllmUseV1 = resolveVllmUseV1(merged.vllm_use_v1, context.checkout, row.key, context.warnings);
  checkTemperature(row, settingsRow, merged.temperature, context.warnings);

  const generation: Record<string, ResolvedValue> = {};
  for (const param of GENERATION_PARAMS) {
    const value = merged[param];
    if (value) generation[param] = value;
  }
  const logDir = `${context.resultsDir}/${row.resultDir}`;
  return {
    key: row.key,
    lang,
    task: rest.join("_"),
    lightevalTask: row.script,
    taskDef: `swallow|${row.script}|0|0`,
    framework: row.framework,
    resultDir: row.resultDir,
    logDir,
    modelConfigPath: `${context.rawResultsDir}/model_config_${row.script}.yaml`,
    walltime,
    systemMessage: merged.system_message ?? { value: "", literal: "", source: { layer: "default" } },
    maxModelLength: resolveMaxModelLength(merged.max_model_length, metadata, provider),
    vllmUseV1,
    reasoningParser: parserValue ?? { value: null, literal: "", source: { layer: "default" } },
    generation,
    parserRouting: {
      parser: decision.parser,
      vllmParser: decision.vllmParser,
      lightevalParser: decision.lightevalParser,
      decision: decision.decision,
      checkAtJobStart: decision.checkAtJobStart,
    },
  };
}

/**
 * A parser routed to vLLM must exist in the vLLM the checkout pins, built in or registered by the checkout's
 * Swallow plugin folder (V5's `--reasoning-parser-plugin`); otherwise vLLM exits at start-up, after the queue.
 * `llmjp4` and `nemotron_nano_v2` are built into no vLLM: only the plugin provides them.
 */
function checkParserAvailable(parser: string, checkout: CheckoutFacts, at: ReturnType<typeof locationOf>, warnings: PlanWarning[]): void {
  if (checkout.reasoningParserPlugin?.parsers.includes(parser)) return;
  const builtIn = builtInReasoningParsers(checkout.vllm.version);
  const pluginOnly = (PLUGIN_ONLY_PARSERS as readonly string[]).includes(parser);
  if (builtIn?.includes(parser) || (!builtIn && !pluginOnly)) {
    if (!builtIn && checkout.vllm.version)
      warnings.push({
        code: "reasoning-parser",
        message: `reasoning parser "${parser}" not checked: sweval knows the parsers of vLLM 0.9 and 0.18, the checkout pins ${checkout.vllm.version}`,
      });
    return;
  }
  const pinned = checkout.vllm.version ? `vLLM ${checkout.vllm.version} (pinned by ${checkout.vllm.source})` : "any vLLM";
  const plugin = checkout.reasoningParserPlugin
    ? `${checkout.reasoningParserPlugin.dir} registers only ${checkout.reasoningParserPlugin.parsers.join(", ") || "no parser"}`
    : `the checkout has no ${PLUGIN_DIR}/multi_parser_loader.py to load a plugin from`;
  throw new InputError(`reasoning parser "${parser}" is not built into ${pinned}, and ${plugin}: vLLM would exit at start-up`, {
    code: "E_PARSER_UNAVAILABLE",
    ...at,
    hint: pluginOnly
      ? `"${parser}" comes only from the Swallow plugin: use a V5 checkout (${PLUGIN_DIR}/${parser}_reasoning_parser.py) as REPO_PATH`
      : `choose one of ${(builtIn ?? []).join(", ")}${checkout.reasoningParserPlugin?.parsers.length ? `, ${checkout.reasoningParserPlugin.parsers.join(", ")}` : ""}, or a checkout whose vLLM has it`,
  });
}

/**
 * vllm_use_v1 as the pinned vLLM reads it: 0.9 parses VLLM_USE_V1 with int(), so true/false become 1/0 (the
 * legacy passes "False" through and vLLM crashes); from 0.11 the variable is gone and the value has no effect.
 */
function resolveVllmUseV1(
  setting: ResolvedValue | undefined,
  checkout: CheckoutFacts,
  key: string,
  warnings: PlanWarning[],
): ResolvedValue {
  if (!setting) return { value: 1, literal: "1", source: { layer: "default" } };
  const raw = String(setting.value).trim().toLowerCase();
  const value = raw === "true" || raw === "1" ? 1 : raw === "false" || raw === "0" ? 0 : null;
  if (value === null)
    throw new InputError(`vllm_use_v1 must be 0, 1, true or false, not ${JSON.stringify(setting.value)}`, {
      code: "E_VLLM_USE_V1",
      ...locationOf(setting, "vllm_use_v1"),
    });
  if (value === 0 && !readsVllmUseV1(checkout.vllm.version))
    warnings.push({
      code: "settings-file",
      message: `${key}: vllm_use_v1: 0 has no effect on vLLM ${checkout.vllm.version}, which has only the V1 engine`,
    });
  // The literal stays what the file said: the legacy settings lines print it as written.
  return { ...setting, value };
}

/** Where V5's copy_results.sh copies details on ABCI (utils/abci/copy_results.sh, real-programs.md §4.2 item 11). */
const TEAM_DETAILS_SHARE = "/groups/gag51395/share/se_inst/details";

/** V5's COPY_DETAILS: true or false (the team's share), or a directory; only on ABCI, as qsub_all.sh checks. */
function resolveCopyDetails(
  option: string | true | null | undefined,
  env: NodeJS.ProcessEnv,
  service: string,
  clusterPath: string,
  cwd: string,
): Plan["copyDetails"] {
  const raw = option === true ? "true" : env.COPY_DETAILS;
  const dir = typeof option === "string" ? option : null;
  if (!dir && (raw === undefined || raw === "" || raw === "false")) return null;
  if (!dir && raw !== "true")
    throw new InputError(`COPY_DETAILS must be true or false, not ${JSON.stringify(raw?.slice(0, 40))}`, {
      code: "E_COPY_DETAILS",
      field: "COPY_DETAILS",
    });
  if (service !== "abci")
    throw new InputError("copying details to the shared directory is an ABCI step (qsub_all.sh: COPY_DETAILS=true requires SERVICE=abci)", {
      code: "E_COPY_DETAILS",
      file: clusterPath,
      field: "--copy-details",
    });
  return { dir: dir ? resolve(cwd, dir) : TEAM_DETAILS_SHARE };
}

/** V5's UPLOAD_DETAILS (true or false, the org is the team's) or an org named by the caller. */
function resolveUploadDetails(org: string | null | undefined, env: NodeJS.ProcessEnv): Plan["uploadDetails"] {
  if (org) {
    if (!SAFE_NAME.test(org))
      throw new InputError(`"${org.slice(0, 100)}" is not a Hugging Face organization name`, {
        code: "E_UPLOAD",
        field: "--upload-details",
      });
    return { org };
  }
  const raw = env.UPLOAD_DETAILS;
  if (raw === undefined || raw === "" || raw === "false") return null;
  if (raw !== "true")
    throw new InputError(`UPLOAD_DETAILS must be true or false, not ${JSON.stringify(raw.slice(0, 40))}`, {
      code: "E_UPLOAD",
      field: "UPLOAD_DETAILS",
    });
  return { org: "tokyotech-llm" };
}

/** V5's TRUST_REMOTE_CODE: exactly true or false (qsub_all.sh exits otherwise). */
function resolveTrustRemoteCode(option: boolean | null | undefined, env: NodeJS.ProcessEnv): ResolvedValue {
  if (typeof option === "boolean") return { value: option, source: { layer: "cli", flag: "--trust-remote-code" } };
  const raw = env.TRUST_REMOTE_CODE;
  if (raw === undefined || raw === "") return { value: false, source: { layer: "default" } };
  if (raw !== "true" && raw !== "false")
    throw new InputError(`TRUST_REMOTE_CODE must be exactly true or false, not ${JSON.stringify(raw.slice(0, 40))}`, {
      code: "E_TRUST_REMOTE_CODE",
      field: "TRUST_REMOTE_CODE",
    });
  return { value: raw === "true", source: { layer: "default", note: "TRUST_REMOTE_CODE from the environment" } };
}

/** A suite's keys, each of which must be a row of tasks_runtime.csv (the legacy exits with "Unknown task"). */
function suiteKeys(suite: Suite, tasksRuntime: TasksRuntime): string[] {
  for (const { key, line } of suite.tasks)
    if (!tasksRuntime.byKey.has(key))
      throw new InputError(
        `suite ${suite.name} runs ${key}, which ${tasksRuntime.file} has no row for${didYouMean(key, tasksRuntime.byKey.keys())}`,
        {
          code: "E_UNKNOWN_TASK",
          file: suite.file,
          line: line || undefined,
          field: "tasks",
          hint: "point --root (or --tasks-runtime) at the checkout the suite belongs to",
        },
      );
  return [...new Set(suite.tasks.map((task) => task.key))];
}

/** For each param, the first non-null of (primary, secondary): model-first = (profile, task row). */
function mergeParams(
  row: TaskSettingsRow,
  file: string,
  profile: ModelSettingsProfile | null,
  strategy: "model-first" | "task-first",
): Partial<Record<SupportedParam, ResolvedValue>> {
  const merged: Partial<Record<SupportedParam, ResolvedValue>> = {};
  for (const param of SUPPORTED_PARAMS) {
    const fromProfile: ResolvedValue | undefined = profile?.values[param] && {
      value: profile.values[param].value,
      literal: profile.values[param].literal,
      source: { layer: "profile", file: profile.file, setting: profile.name, line: profile.values[param].line },
    };
    const raw = row.params.get(param);
    const fromTask: ResolvedValue | undefined =
      raw === undefined
        ? undefined
        : { value: typedValue(raw), literal: raw, source: { layer: "task_settings", file, key: row.key, line: row.line } };
    const value = strategy === "model-first" ? (fromProfile ?? fromTask) : (fromTask ?? fromProfile);
    if (value) merged[param] = value;
  }
  return merged;
}

/** CSV values are strings that YAML re-types downstream; the plan carries the typed value too. */
function typedValue(raw: string): string | number {
  return /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw) ? Number(raw) : raw;
}

function resolveMaxModelLength(manual: ResolvedValue | undefined, metadata: ModelMetadata, provider: Provider): ResolvedValue {
  if (manual && manual.value !== -1) return manual;
  if (provider !== "vllm")
    return { value: -1, literal: "-1", source: { layer: "default", note: "no server is started for API providers" } };
  const detected = metadata.maxModelLength;
  return { ...detected, literal: detected.value === null ? undefined : String(detected.value) };
}

/** The model's size and the layout chosen for it (--layout auto); a model of unknown size exits 2. */
function sizeLayout(options: ResolvePlanOptions, cluster: ClusterProfile, asked: string | null, env: NodeJS.ProcessEnv) {
  const size = modelSizeOf(options.model, { modelPath: options.modelPath, env });
  if (!size)
    throw new InputError(
      `cannot tell the size of ${options.model}: no model.safetensors.index.json in the HF cache and no size in its id`,
      {
        code: "E_LAYOUT",
        field: "--layout",
        hint: "pre-download the model (hf download), or choose --node-kind yourself without --layout auto",
      },
    );
  return { size, layout: chooseLayout(size, cluster, asked) };
}

/** What the plan records of the layout, and the legacy choice with its static walltimes for the estimate. */
function planLayout(
  sized: { size: ModelSize; layout: Layout },
  tasksRuntime: Awaited<ReturnType<typeof readTasksRuntime>>,
  tasks: PlanTask[],
  cluster: ClusterProfile,
): NonNullable<Plan["layout"]> {
  const legacy = legacyLayout(sized.size, cluster);
  const column = legacy ? cluster.nodeKinds[legacy.nodeKind]?.walltimeColumn : undefined;
  const walltimes = Object.fromEntries(
    tasks.map((task) => {
      const value = column ? tasksRuntime.byKey.get(task.key)?.walltimes[column] : undefined;
      return [task.key, value ? parseWalltime(value) : task.walltime.seconds];
    }),
  );
  return {
    tensorParallel: sized.layout.tensorParallel,
    dataParallel: sized.layout.dataParallel,
    parameters: sized.size.parameters,
    sizeSource: sized.size.source,
    why: sized.layout.why,
    legacy: legacy ? { ...legacy, walltimes } : null,
  };
}

function resolveWalltime(context: ResolveTaskContext): PlanTask["walltime"] {
  const { row, tasksRuntime, nodeKindColumn } = context;
  const value = row.walltimes[nodeKindColumn];
  if (!value) {
    throw new InputError(`no "${nodeKindColumn}" column for ${row.key}; this node kind needs it (the 6-column form only has hrt_q,hrt_f)`, {
      code: "E_NO_WALLTIME",
      file: tasksRuntime.file,
      line: row.line,
      field: nodeKindColumn,
    });
  }
  const seconds = parseWalltime(value, { file: tasksRuntime.file, line: row.line, field: nodeKindColumn });
  if (context.maxWalltime && seconds > parseWalltime(context.maxWalltime)) {
    context.warnings.push({
      code: "walltime-over-limit",
      message: `${row.key}: walltime ${value} is over the node kind's limit ${context.maxWalltime}; the scheduler will refuse it`,
    });
  }
  return {
    value,
    seconds,
    source: { layer: "tasks_runtime", file: tasksRuntime.file, key: row.key, column: nodeKindColumn, line: row.line },
  };
}

/** The manual: a profile that changes temperature should only meet tasks whose default temperature is 0. */
function checkTemperature(
  row: TaskRuntimeRow,
  settingsRow: TaskSettingsRow,
  temperature: ResolvedValue | undefined,
  warnings: PlanWarning[],
) {
  if (temperature?.source.layer !== "profile") return;
  const taskDefault = settingsRow.params.get("temperature");
  if (taskDefault !== undefined && Number(taskDefault) === 0) return;
  const why =
    taskDefault === undefined ? "the task uses its own temperatures (e.g. MT-Bench per category)" : `the task's default is ${taskDefault}`;
  warnings.push(
    confirmWarning(
      "check-temperature",
      `${row.key}: profile "${temperature.source.setting}" sets temperature=${temperature.literal} but ${why}; the manual says such profiles are for temperature-0 tasks only (${temperature.source.file}:${temperature.source.line})`,
    ),
  );
}

function addThinkingSwitchWarning(metadata: ModelMetadata, tasks: PlanTask[], warnings: PlanWarning[]) {
  if (metadata.chatTemplateThinkingSwitch.value !== true) return;
  const unset = tasks.filter((t) => t.parserRouting.parser === null && !t.generation.reasoning_effort);
  if (unset.length === 0) return;
  const file = metadata.chatTemplateThinkingSwitch.source.layer === "auto-detected" ? metadata.chatTemplateThinkingSwitch.source.file : "";
  warnings.push(
    confirmWarning(
      "check-thinking-switch",
      `the chat template has a thinking switch (${file}) but no reasoning setting is given for ${unset.length} task(s); confirm with the requester whether thinking should be on`,
    ),
  );
}

function selectTasks(selectors: string[], tasksRuntime: TasksRuntime, suite: Suite | null): string[] {
  const all = suite ? suiteKeys(suite, tasksRuntime) : [...tasksRuntime.byKey.keys()];
  const selected: string[] = [];
  const add = (key: string) => {
    if (!selected.includes(key)) selected.push(key);
  };
  for (const selector of selectors
    .flatMap((s) => s.split(","))
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (selector === "all") {
      for (const key of all) add(key);
    } else if (selector.includes("*")) {
      const pattern = new RegExp(`^${selector.split("*").map(escapeRegExp).join(".*")}$`);
      const matches = all.filter((key) => pattern.test(key));
      if (matches.length === 0)
        throw new InputError(`no task matches "${selector}"`, { code: "E_UNKNOWN_TASK", file: tasksRuntime.file, field: "--tasks" });
      for (const key of matches) add(key);
    } else if (tasksRuntime.byKey.has(selector)) {
      add(selector);
    } else {
      throw new InputError(`unknown task "${selector}"${didYouMean(selector, all)}`, {
        code: "E_UNKNOWN_TASK",
        file: tasksRuntime.file,
        field: "--tasks",
        hint: "task keys are <lang>_<task> as in the key column; `all` selects every row",
      });
    }
  }
  if (selected.length === 0) throw new InputError("no tasks selected", { code: "E_UNKNOWN_TASK", field: "--tasks" });
  return selected;
}

function resolveNodeKindName(requested: string, cluster: ClusterProfile, clusterPath: string): string {
  if (cluster.nodeKinds[requested]) return requested;
  const alias = cluster.nodeKindAliases[requested];
  if (alias && cluster.nodeKinds[alias]) return alias;
  throw new InputError(
    `unknown node kind "${requested}" for cluster ${cluster.name}${didYouMean(requested, Object.keys(cluster.nodeKinds))}`,
    {
      code: "E_NODE_KIND",
      file: clusterPath,
      field: "--node-kind",
      hint: `available: ${Object.keys(cluster.nodeKinds).join(", ")}`,
    },
  );
}

function checkProviderNode(provider: Provider, nodeKind: string, gpus: number, clusterPath: string) {
  if (provider === "vllm" && gpus === 0) {
    throw new InputError(`vLLM cannot be served on the CPU node kind "${nodeKind}"; choose a GPU node kind`, {
      code: "E_PROVIDER_NODE",
      file: clusterPath,
      field: "--node-kind",
    });
  }
  if (provider !== "vllm" && gpus > 0) {
    throw new InputError(`provider ${provider} uses no GPUs; choose a CPU node kind instead of "${nodeKind}"`, {
      code: "E_PROVIDER_NODE",
      file: clusterPath,
      field: "--node-kind",
    });
  }
}

function notApplicableMetadata(): ModelMetadata {
  const source = { layer: "default" as const, note: "not detected for API providers" };
  return {
    maxModelLength: { value: -1, literal: "-1", source },
    hasThinkTag: { value: null, source },
    chatTemplateThinkingSwitch: { value: null, source },
    notes: [],
  };
}

function locationOf(value: ResolvedValue | undefined, field: string) {
  const source = value?.source;
  if (source?.layer === "profile") return { file: source.file, line: source.line, field: `${source.setting}.${field}` };
  if (source?.layer === "task_settings") return { file: source.file, line: source.line, field };
  return { field };
}

function pickDefined<T extends object, K extends keyof T>(object: T, keys: K[]): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) if (object[key] !== undefined && object[key] !== null) picked[key] = object[key];
  return picked;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
