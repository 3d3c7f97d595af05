import { resolve } from "node:path";
import {
  addHelpFooter,
  InputError,
  type Io,
  processIo,
  readPackageVersion,
  readTextInput,
  renderJson,
  renderJsonLines,
  runCli,
} from "@sweval/core";
import { Command, Option } from "commander";

/** `sweval-resolve`: flags → ResolvePlanOptions → plan JSON on stdout (JSON Lines for several models). */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const program = new Command("sweval-resolve")
    .version(readPackageVersion(import.meta.url), "-V, --version", "print the version")
    .description("Resolve which model, which tasks and which generation settings into a sweval/plan (JSON on stdout)")
    .option("-m, --model <id>", "Hugging Face model id <org>/<name> (repeat for several models)", collect, [])
    .option("--models-file <json>", "V5 generation_settings.json: { id: { node_kind, custom_settings? } }")
    .option("--model-path <dir>", "a local model directory to read config.json and tokenizer files from")
    .addOption(
      new Option("-p, --provider <name>", "who serves the model").choices(["vllm", "openai", "deepinfra", "openrouter"]).default("vllm"),
    )
    .option("-c, --cluster <name|file>", "cluster profile: conf/clusters/<name>.yaml or a path", "local")
    .option("-n, --node-kind <kind>", "node kind of the cluster profile (default: the profile's)")
    .addOption(
      new Option("--layout <mode>", "auto: node kind, tensor and data parallelism from the model's size, the cheapest that fits").choices([
        "auto",
      ]),
    )
    .option("-s, --custom-settings <name>", "setting name in the model's custom settings YAML")
    .option("-t, --tasks <keys>", "task keys, globs like ja_*, or all (comma-separated, repeatable)", collect, [])
    .option(
      "--suite <name|file>",
      "what --tasks all means: swallow-v202508, swallow-v202604, a suite file or a qsub_all.sh (default: the checkout's qsub_all.sh)",
    )
    .addOption(new Option("--merge-strategy <strategy>", "which layer wins").choices(["model-first", "task-first"]).default("model-first"))
    .option("--max-samples <n>", "lighteval --max-samples (debug)", parsePositiveInt)
    .option("--root <dir>", "where conf/ and generation_settings/ live (default: $SWEVAL_ROOT or .)")
    .option("--repo-path <dir>", "REPO_PATH that results/ and lighteval/outputs/ go under (default: $REPO_PATH or --root)")
    .option("--store-path <dir>", "V5's STORE_PATH: results/ and lighteval/outputs/ go there (default: $STORE_PATH or --repo-path)")
    .option("--tasks-runtime <csv>", "tasks_runtime.csv to use")
    .option("--task-settings <csv>", "task_settings.csv to use")
    .option("--custom-model-settings-dir <dir>", "custom_model_settings directory to use")
    .option(
      "--copy-details [dir]",
      "ABCI: copy each job's details to a shared dir after aggregating (default dir: the team's; default: $COPY_DETAILS)",
    )
    .option("--upload-details [org]", "lighteval --push-to-hub --results-org <org> (default org: tokyotech-llm; default: $UPLOAD_DETAILS)")
    .option("--trust-remote-code", "vllm serve --trust-remote-code (default: $TRUST_REMOTE_CODE, true or false)")
    .option("--aggregate-conf <name|file>", "aggregation table the jobs use (default: the checkout's, else swallow-v202508)")
    .option("--offline", "never download model files from the Hub; defer what is not cached")
    .option("--strict", "make the manual's checks (temperature, thinking switch) errors")
    .option("--explain", "print every value and the layer that set it as a table on stderr")
    .option("-q, --quiet", "no warnings on stderr")
    .action(async (flags: ResolveFlags) => {
      const { resolvePlans, parseModelsFile, renderExplain } = await import("./index.js");
      const models = flags.model.map((model) => ({ model }));
      if (flags.modelsFile) {
        const file = resolve(io.cwd, flags.modelsFile);
        const text = await readTextInput(file, "models file");
        models.push(...parseModelsFile(text, file));
      }
      if (models.length === 0)
        throw new InputError("no model given: pass --model <org>/<name> or --models-file", { code: "E_USAGE", field: "--model" });
      const plans = await resolvePlans(models, {
        provider: flags.provider,
        cluster: flags.cluster,
        nodeKind: flags.nodeKind,
        layout: flags.layout ?? null,
        modelPath: flags.modelPath,
        customSettings: flags.customSettings,
        tasks: flags.tasks.length > 0 ? flags.tasks : ["all"],
        mergeStrategy: flags.mergeStrategy,
        maxSamples: flags.maxSamples,
        root: flags.root,
        repoPath: flags.repoPath,
        storePath: flags.storePath,
        tasksRuntime: flags.tasksRuntime,
        taskSettings: flags.taskSettings,
        customModelSettingsDir: flags.customModelSettingsDir,
        suite: flags.suite ?? null,
        copyDetails: flags.copyDetails ?? null,
        uploadDetails: flags.uploadDetails === true ? "tokyotech-llm" : (flags.uploadDetails ?? null),
        trustRemoteCode: flags.trustRemoteCode ? true : null,
        aggregateConf: flags.aggregateConf ?? null,
        offline: Boolean(flags.offline),
        strict: Boolean(flags.strict),
        env: io.env,
        cwd: io.cwd,
      });
      for (const plan of plans) {
        if (flags.explain) io.stderr.write(renderExplain(plan));
        else if (!flags.quiet) for (const warning of plan.warnings) io.stderr.write(`sweval-resolve: warning: ${warning}\n`);
      }
      io.stdout.write(plans.length === 1 ? renderJson(plans[0]) : renderJsonLines(plans));
    });
  addHelpFooter(program, {
    examples: [
      "sweval-resolve --model tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5 --custom-settings default --tasks all --explain",
      "sweval-resolve -m tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5 -t ja_gpqa,en_math_500 --cluster tsubame4 --node-kind node_f | sweval-render --out jobs/",
      "sweval-resolve -m Qwen/Qwen3-32B -t all --cluster tsubame4 --layout auto   # node kind and TP/DP from the model's size",
    ],
    env: ["SWEVAL_ROOT"],
    otherEnv: {
      HF_HOME: "the Hugging Face cache read for the model's config (HUGGINGFACE_CACHE in .env sets it)",
      HF_TOKEN: "the token for gated models (never printed)",
    },
  });
  return runCli("sweval-resolve", program, argv, io);
}

interface ResolveFlags {
  copyDetails?: string | true;
  uploadDetails?: string | true;
  storePath?: string;
  suite?: string;
  trustRemoteCode?: boolean;
  aggregateConf?: string;
  model: string[];
  modelsFile?: string;
  modelPath?: string;
  provider: "vllm" | "openai" | "deepinfra" | "openrouter";
  cluster: string;
  nodeKind?: string;
  layout?: "auto";
  customSettings?: string;
  tasks: string[];
  mergeStrategy: "model-first" | "task-first";
  maxSamples?: number;
  root?: string;
  repoPath?: string;
  tasksRuntime?: string;
  taskSettings?: string;
  customModelSettingsDir?: string;
  offline?: boolean;
  strict?: boolean;
  explain?: boolean;
  quiet?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parsePositiveInt(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0)
    throw new InputError(`expected a positive integer, received "${value}"`, { code: "E_USAGE", field: "--max-samples" });
  return number;
}
