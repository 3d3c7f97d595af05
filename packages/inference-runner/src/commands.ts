import { commandFromVariable } from "@sweval/core";
import { type Plan, type PlanTask, readsVllmUseV1 } from "@sweval/settings-resolver/schema";

/** A served model's settings: tasks with equal keys share one vLLM server. */
export function servingKey(plan: Plan, task: PlanTask): string {
  return JSON.stringify([plan.model.id, plan.model.path, task.maxModelLength.value, task.parserRouting.vllmParser, task.vllmUseV1.value]);
}

/**
 * The program that runs a tool: SWEVAL_VLLM_CMD / SWEVAL_LIGHTEVAL_CMD (JSON arrays of strings), else the
 * command the plan carries from its cluster profile, else the bare name on PATH.
 */
export function toolCommand(tool: "vllm" | "lighteval", plan: Pick<Plan, "cluster">, env: NodeJS.ProcessEnv, repoPath: string): string[] {
  const variable = tool === "vllm" ? "SWEVAL_VLLM_CMD" : "SWEVAL_LIGHTEVAL_CMD";
  const override = env[variable];
  const base = override ? commandFromVariable(variable, override, '["uv","run","vllm"]') : (plan.cluster.tools[tool] ?? [tool]);
  return base.map((part) => part.replaceAll("${REPO_PATH}", repoPath));
}

/**
 * `vllm serve` as the legacy job ran it (§4.3), minus `--hf-token`: the token stays in the environment,
 * where vLLM reads it, instead of on a command line anyone on the node can list.
 */
export function vllmServeArgs(plan: Plan, task: PlanTask, port: number, gpus: number): string[] {
  // --layout auto: tensor-parallel over the GPUs one replica needs, the node's other GPUs as data-parallel replicas.
  const layout = plan.layout;
  const tensorParallel = layout ? layout.tensorParallel : Math.max(1, gpus);
  const args = ["serve", plan.model.path ?? plan.model.id, "--port", String(port), "--tensor-parallel-size", String(tensorParallel)];
  if (layout && layout.dataParallel > 1) args.push("--data-parallel-size", String(layout.dataParallel));
  if (typeof task.maxModelLength.value === "number" && task.maxModelLength.value > 0)
    args.push("--max-model-len", String(task.maxModelLength.value));
  args.push("--gpu-memory-utilization", "0.9", "--dtype", "bfloat16");
  // V5 passes its plugin loader on every serve, as the legacy job does; it registers llmjp4 and nemotron_nano_v2.
  const plugin = plan.checkout.reasoningParserPlugin;
  if (plugin) args.push("--reasoning-parser-plugin", plugin.loader);
  if (task.parserRouting.vllmParser) args.push("--reasoning-parser", task.parserRouting.vllmParser);
  if (plan.trustRemoteCode.value === true) args.push("--trust-remote-code");
  if (plan.model.path) args.push("--served-model-name", plan.model.id);
  return args;
}

/**
 * What the job exports for vLLM and lighteval: VLLM_USE_V1 only where the pinned vLLM reads it (0.9 parses it with
 * int(); 0.18 only logs it as unknown), and the plugin folder on PYTHONPATH, which llmjp4's parser imports from.
 */
export function vllmEnvironment(plan: Plan, task: PlanTask, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const added: NodeJS.ProcessEnv = {};
  if (readsVllmUseV1(plan.checkout.vllm.version)) added.VLLM_USE_V1 = String(task.vllmUseV1.value ?? 1);
  const plugin = plan.checkout.reasoningParserPlugin;
  if (plugin) added.PYTHONPATH = env.PYTHONPATH ? `${plugin.dir}:${env.PYTHONPATH}` : plugin.dir;
  return added;
}

/** lighteval's model config YAML, in the legacy layout (4-space indent, generation beside base_params). */
export function renderModelConfig(options: {
  modelName: string;
  baseUrl: string | null;
  lightevalParser: string | null;
  task: PlanTask;
}): string {
  const lines = ["model:", "    base_params:", `        model_name: ${yamlString(options.modelName)}`];
  if (options.baseUrl) lines.push(`        base_url: ${yamlString(options.baseUrl)}`);
  // The API key is not written: litellm reads OPENAI_API_KEY / DEEPINFRA_API_KEY / OPENROUTER_API_KEY itself.
  lines.push(options.lightevalParser ? `        reasoning_parser: ${yamlString(options.lightevalParser)}` : "        ");
  const generation = Object.entries(options.task.generation);
  if (generation.length > 0) {
    lines.push("    generation:");
    for (const [param, value] of generation) lines.push(`        ${param}: ${yamlValue(value)}`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * A string as a YAML scalar: as the legacy wrote it when it is a plain word (every value the team's files hold),
 * else double-quoted by JSON's rules (valid YAML), so no value can end its line and add a key such as base_url.
 */
export function yamlString(text: string): string {
  return /^[A-Za-z0-9_./:@+-]+$/.test(text) && !/^[-:]/.test(text) && !text.includes(": ") ? text : JSON.stringify(text);
}

/** A generation value: numbers and booleans in the Python literal the settings gave (0.0, True), strings quoted as needed. */
function yamlValue(value: PlanTask["generation"][string]): string {
  const plain = value.literal !== undefined && /^[A-Za-z0-9_.+-]+$/.test(value.literal);
  if (typeof value.value === "number" || typeof value.value === "boolean" || value.value === null)
    return plain ? (value.literal as string) : String(value.value);
  return yamlString(String(value.value));
}

/** `lighteval endpoint litellm …` exactly as §4.6 gives it. */
export function lightevalArgs(plan: Plan, task: PlanTask, configPath: string, outputDir: string): string[] {
  const args = [
    "endpoint",
    "litellm",
    configPath,
    task.taskDef,
    "--use-chat-template",
    "--output-dir",
    outputDir,
    "--output-subdir",
    plan.paths.outputSubdir,
    "--save-details",
  ];
  if (task.systemMessage.value) args.push("--system-prompt", String(task.systemMessage.value));
  if (plan.maxSamples) args.push("--max-samples", String(plan.maxSamples));
  // V5 UPLOAD_DETAILS: the fork pushes results and details to the private <org>/details_<model>_private dataset.
  if (plan.uploadDetails) args.push("--push-to-hub", "--results-org", plan.uploadDetails.org);
  return args;
}
