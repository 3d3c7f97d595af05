import { writeFileSync } from "node:fs";
import { join } from "node:path";
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

export function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  return runBin(runBinPath, args, {
    env: {
      HOME: "/nonexistent-home",
      JOB_ID: "4242",
      SWEVAL_VLLM_CMD: STAND_IN_VLLM,
      SWEVAL_LIGHTEVAL_CMD: STAND_IN_LIGHTEVAL,
      SWEVAL_CACHE_DIR: "",
      ...env,
    },
  });
}
