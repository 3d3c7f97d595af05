import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { repoRoot, testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";

const sweval = fileURLToPath(new URL("../bin/sweval.js", import.meta.url));
const MODEL = "tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5";

describe("the README's main command on the embedded default", () => {
  it("resolves, renders, submits to the local scheduler, runs the rehearsal, aggregates and shows the board", async () => {
    const repo = await testdir();
    const env = {
      ...process.env,
      HOME: repo,
      REPO_PATH: repo,
      SWEVAL_LOCAL_STATE_DIR: join(repo, "state"),
      PATH: `${join(repoRoot, "node_modules/.bin")}:${process.env.PATH}`,
    };
    const pipeline = [
      `node ${sweval} resolve --model ${MODEL} --custom-settings default --tasks ja_gpqa,ja_mtbench,en_math_500,en_aime_2024_2025 --offline -q`,
      `node ${sweval} render --out jobs/ --rehearse`,
      `node ${sweval} pbs submit >/dev/null`,
    ].join(" | ");
    const submitted = spawnSync("bash", ["-o", "pipefail", "-c", `${pipeline} && node ${sweval} pbs status --watch 1`], {
      cwd: repo,
      env,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(submitted.status).toBe(0);
    expect(submitted.stdout.match(/🟢 \S+\s+done/g)).toHaveLength(4);
    const aggregated = JSON.parse(
      readFileSync(join(repo, "results/rehearsal/hosted_vllm", MODEL, "default/aggregated_results.json"), "utf8"),
    );
    expect(aggregated.model).toBe(`rehearsal/hosted_vllm/${MODEL}`);
    // Scores drawn per model and task (tests/fork-results.test.ts checks they vary), each column filled.
    for (const column of ["gpqa_main_ja", "aime_2024_2025", "japanese_mtbench_coding"]) {
      expect(aggregated.results[column]).toBeGreaterThanOrEqual(0);
      expect(aggregated.results[column]).toBeLessThanOrEqual(1);
    }
    expect(existsSync(join(repo, "results/hosted_vllm", MODEL, "default/aggregated_results.json"))).toBe(false);
  }, 150_000);
});
