import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, skipNote, testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { random, resultsFileText, timestamp, v4Tasks, writeModel } from "../../../bench/aggregate-generate.mjs";
import { aggregate, readAggregateConf } from "../src/index.js";
import { hasPython, runOracle } from "./helpers.js";

const conf = () => readAggregateConf("swallow-v202508", repoRoot);
const MODEL = "hosted_vllm/tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5";

async function compare(rawDir: string, custom?: [string, string, string]) {
  const outDir = join(await testdir(), "out");
  mkdirSync(outDir);
  const expected = runOracle({ modelName: MODEL, rawDir, outDir, conf: conf(), custom });
  const ours = aggregate({
    modelName: MODEL,
    rawResultsDir: rawDir,
    conf: conf(),
    customSettings: custom && { path: custom[0], name: custom[1], version: custom[2] },
  });
  expect(ours.text).toBe(expected);
  return ours;
}

describe.skipIf(!skipNote(hasPython, "the byte-identity checks against the legacy script", "python3 is not installed"))(
  hasPython
    ? "aggregated_results.json is byte-identical to the legacy script's"
    : "byte-identical output (skipped: python3 is not installed)",
  () => {
    it("on a full 19-task V4 tree with exact 0.0 and 1.0 values and Japanese custom settings", async () => {
      const dir = await testdir();
      writeModel(dir, { model: MODEL, seed: 7 });
      const result = await compare(dir, ["/repo/設定/model.yaml", "default", "1"]);
      expect(result.filesRead).toBe(19);
      expect(result.text).toContain('"path": "/repo/\\u8a2d\\u5b9a/model.yaml"');
      expect(result.text.match(/-1,|,-1$/g)?.length ?? 0).toBeLessThan(10);
    });

    it("with stale files (the newest per task:subset wins) and other models' files in the same dir", async () => {
      const dir = await testdir();
      writeModel(dir, { model: MODEL, seed: 11, stale: true, foreign: true });
      await compare(dir);
    });

    it("with missing tasks, bad file names and a file without config_tasks", async () => {
      const dir = await testdir({
        "results_latest.json": "{}",
        "results_2025-13-40T99-00-00.000001.json": "{}",
        "notes.json": "[]",
        "model_config_gpqa:diamond.yaml": "model: {}",
        "sub/results_2025-08-18T00-00-00.000001.json": "{}",
      });
      const tasks = v4Tasks();
      writeModel(dir, { model: MODEL, seed: 3, taskCount: 9, tasks });
      const next = random(99);
      writeFileSync(
        join(dir, `results_${timestamp(5000)}.json`),
        resultsFileText({ model: MODEL, task: tasks[12], next, withConfigTasks: false }),
      );
      const result = await compare(dir);
      expect(result.messages.join("\n")).toMatch(/Skip results_latest\.json/);
      expect(result.messages.join("\n")).toMatch(/no config_tasks; sample counts are -1/);
    });

    it("with integer metrics, a metric missing in one subset, and the MT-Bench alternative task key", async () => {
      const dir = await testdir();
      const write = (n: number, results: Record<string, string>, docs: Record<string, number>) =>
        writeFileSync(
          join(dir, `results_${timestamp(n)}.json`),
          `{"config_general": {"model_name": "${MODEL}"}, "results": {${Object.entries(results)
            .map(([k, v]) => `"${k}": ${v}`)
            .join(", ")}}, "config_tasks": {${Object.entries(docs)
            .map(([k, v]) => `"${k}": {"effective_num_docs": ${v}}`)
            .join(", ")}}}`,
        );
      write(
        1,
        { "swallow|hellaswag|0": '{"extractive_match": 1}', "swallow|gpqa:diamond|0": '{"extractive_match": 0}' },
        { "swallow|hellaswag": 10 },
      );
      write(
        2,
        { "swallow|aime:24|0": '{"extractive_match": 0.3}', "swallow|aime:25|0": '{"other": 0.5}' },
        { "swallow|aime:24": 30, "swallow|aime:25": 30 },
      );
      write(3, { "swallow|japanese_mt_bench_truncate_6144|0": '{"judge_score_overall_avg": 0.61, "judge_score_coding_avg": 1}' }, {});
      write(4, { "swallow|mifeval_ja|0": '{"prompt_level_strict_acc": 0.5, "inst_level_strict_acc": 0.25}' }, {});
      const result = await compare(dir);
      const parsed = JSON.parse(result.text);
      expect(parsed.results.swallow_hellaswag).toBe(1);
      expect(result.text).toContain('"swallow_hellaswag": 1,');
      expect(parsed.results.japanese_mtbench_average).toBe(0.61);
      expect(parsed.results.mifeval_ja_average).toBe(-1);
    });

    it("when both MT-Bench task keys exist (the legacy ValueError gives -1)", async () => {
      const dir = await testdir();
      writeFileSync(
        join(dir, `results_${timestamp(1)}.json`),
        `{"config_general": {"model_name": "${MODEL}"}, "results": {"swallow|japanese_mt_bench|0": {"judge_score_overall_avg": 0.5}, "swallow|japanese_mt_bench_truncate_6144|0": {"judge_score_overall_avg": 0.6}}}`,
      );
      const result = await compare(dir);
      expect(JSON.parse(result.text).results.japanese_mtbench_average).toBe(-1);
      expect(result.messages.join("\n")).toMatch(/Error processing japanese_mtbench_average: found in 2/);
    });

    it("for an empty directory: every column -1", async () => {
      const dir = await testdir();
      const result = await compare(dir);
      expect(JSON.parse(result.text).overall).toBe(Array(107).fill("-1").join(","));
    });
  },
);

describe("the shipped default table", () => {
  it("has V4's 107 columns in order", () => {
    const columns = conf().columns;
    expect(columns).toHaveLength(107);
    expect(columns.slice(0, 7).map((c) => c.name)).toEqual([
      "jmmlu_social_sciences",
      "jmmlu_humanities",
      "jmmlu_stem",
      "jmmlu_other",
      "jmmlu",
      "jhumaneval_pass@1",
      "jhumaneval_pass@10",
    ]);
    expect(columns.at(-1)?.name).toBe("humanevalplus_pass@10");
  });

  const legacy = join(repoRoot, "../shared/reference/legacy-data/aggregate_conf.csv");
  let legacyText: string | null = null;
  try {
    legacyText = readFileSync(legacy, "utf8");
  } catch {
    legacyText = null;
  }
  skipNote(legacyText !== null, "the comparison with the legacy aggregate_conf.csv", `${legacy} is absent (../shared beside the repo)`);
  it.skipIf(legacyText === null)(
    legacyText
      ? "matches the legacy aggregate_conf.csv and white_lists.json row for row"
      : "matches the legacy conf (skipped: ../shared is absent)",
    () => {
      const whiteLists = JSON.parse(readFileSync(join(legacy, "../white_lists.json"), "utf8")) as Record<string, string[]>;
      const rows = (legacyText ?? "")
        .trim()
        .split(/\r?\n/)
        .slice(1)
        .map((line) => {
          const match = /^(\d+),([^,]+),([^,]+),([^,]+),([^,]*),"?([^"]+)"?$/.exec(line);
          if (!match) throw new Error(line);
          return match;
        });
      expect(conf().columns.map((c) => [c.name, c.fn, c.metrics.join("|"), c.whiteList, c.tasks.join(",")])).toEqual(
        rows.map(([, , name, fn, metric, list, task]) => [name, fn, metric, list ? whiteLists[list as string] : [], task]),
      );
    },
  );
});
