import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { resolvePlan } from "@sweval/settings-resolver";
import { repoRoot, runBin, testdir } from "@sweval/test-utils";

export { processesIn } from "@sweval/test-utils";

export const runBinPath = join(repoRoot, "packages/inference-runner/bin/sweval-run.js");
const dist = join(repoRoot, "packages/inference-runner/dist/rehearse");
export const STAND_IN_VLLM = JSON.stringify([process.execPath, join(dist, "server.js")]);
export const STAND_IN_LIGHTEVAL = JSON.stringify([process.execPath, join(dist, "lighteval.js")]);

/** A plan for the project's own conf, saved in a temp repo, ready for sweval-run. */
export async function planFile(
  options: { model?: string; tasks?: string[]; customSettings?: string; provider?: "vllm" | "openai"; nodeKind?: string } = {},
) {
  const repo = await testdir();
  const plan = await resolvePlan({
    model: options.model ?? "tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5",
    customSettings: options.customSettings === undefined ? "default" : options.customSettings,
    tasks: options.tasks ?? ["ja_gpqa", "en_math_500"],
    provider: options.provider,
    nodeKind: options.nodeKind,
    root: repoRoot,
    repoPath: repo,
    offline: true,
    env: { HOME: "/nonexistent-home" },
  });
  const path = join(repo, "plan.json");
  writeFileSync(path, JSON.stringify(plan, null, 2));
  return { repo, plan, path };
}

/**
 * A Hugging Face cache holding the model's config and tokenizer files, laid out as `hf download` leaves them
 * (models--org--name/refs/main, snapshots/<rev>/…): what the legacy pre-download puts there before the job starts.
 */
export function modelCache(root: string, modelId: string, options: { maxPositionEmbeddings?: number; thinkTag?: boolean } = {}) {
  const revision = "0123456789abcdef0123456789abcdef01234567";
  const folder = join(root, "hub", `models--${modelId.replaceAll("/", "--")}`);
  const snapshot = join(folder, "snapshots", revision);
  mkdirSync(snapshot, { recursive: true });
  mkdirSync(join(folder, "refs"), { recursive: true });
  writeFileSync(join(folder, "refs", "main"), revision);
  writeFileSync(join(snapshot, "config.json"), JSON.stringify({ max_position_embeddings: options.maxPositionEmbeddings ?? 131072 }));
  const added = options.thinkTag
    ? [
        { id: 128000, content: "<think>" },
        { id: 128001, content: "</think>" },
      ]
    : [];
  writeFileSync(join(snapshot, "tokenizer.json"), JSON.stringify({ added_tokens: added, model: { vocab: { hello: 0 } } }));
  return root;
}

/** HF_HOME holding the plan's model, in a cache beside the plan. */
export function cachedModelEnv(planPath: string): NodeJS.ProcessEnv {
  const modelId = (JSON.parse(readFileSync(planPath, "utf8")) as { model: { id: string } }).model.id;
  return { HF_HOME: modelCache(join(dirname(planPath), "hf-cache"), modelId) };
}

/** The plan's model in a cache beside the plan, unless the caller names its own HF_HOME. */
function cacheFor(args: string[], env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const planPath = args[args.indexOf("--plan") + 1];
  if (env.HF_HOME !== undefined || !planPath || !existsSync(planPath)) return {};
  return cachedModelEnv(planPath);
}

export function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  return runBin(runBinPath, args, {
    env: {
      ...cacheFor(args, env),
      HOME: "/nonexistent-home",
      JOB_ID: "4242",
      SWEVAL_VLLM_CMD: STAND_IN_VLLM,
      SWEVAL_LIGHTEVAL_CMD: STAND_IN_LIGHTEVAL,
      SWEVAL_CACHE_DIR: "",
      ...env,
    },
  });
}
