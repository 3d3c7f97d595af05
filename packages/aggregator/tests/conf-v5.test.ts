import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { timestamp } from "../../../bench/aggregate-generate.mjs";
import { aggregate, readAggregateConf } from "../src/index.js";
import { hasPython, runOracle } from "./helpers.js";

const MODEL = "hosted_vllm/org/reasoner";

function resultsFile(dir: string, n: number, results: Record<string, Record<string, number | string>>, docs: Record<string, number>) {
  const body = {
    config_general: { model_name: MODEL, total_evaluation_time_secondes: "12.5" },
    results,
    config_tasks: Object.fromEntries(Object.entries(docs).map(([k, v]) => [k, { effective_num_docs: v }])),
  };
  writeFileSync(join(dir, `results_${timestamp(n)}.json`), JSON.stringify(body, null, 2));
}

describe("the V5 table (swallow-v202604: extends v202508, 157 columns)", () => {
  const conf = () => readAggregateConf("swallow-v202604", repoRoot);

  it("keeps the 107 V4 columns first and appends V5's 50", () => {
    const columns = conf().columns;
    expect(columns).toHaveLength(157);
    expect(columns[106]?.name).toBe("humanevalplus_pass@10");
    expect(columns.slice(107, 110).map((c) => c.name)).toEqual(["jgpqa_diamond", "jamcqa", "jamcqa_cot"]);
    expect(columns.at(-1)?.name).toBe("livecodebench_v6_pass@10");
    expect(conf().whiteLists.IFBENCH).toHaveLength(4);
  });

  it("computes inline white lists, pass@k/maj@k picks and micro-averaged N=16 AIME", async () => {
    const dir = await testdir();
    resultsFile(
      dir,
      1,
      {
        "swallow|polymath_japanese:medium|0": { extractive_match: 0.9 },
        "swallow|polymath_japanese:high|0": { extractive_match: 0.5 },
        "swallow|polymath_japanese:top|0": { extractive_match: 0.2 },
      },
      { "swallow|polymath_japanese:medium": 100, "swallow|polymath_japanese:high": 100, "swallow|polymath_japanese:top": 50 },
    );
    resultsFile(
      dir,
      2,
      {
        "swallow|aime_N16:24|0": { "extractive_match_pass@1:16": 0.25, "extractive_match_maj@16:16": 0.4 },
        "swallow|aime_N16:25|0": { "extractive_match_pass@1:16": 0.5, "extractive_match_maj@16:16": 0.6 },
        "swallow|gpqa_N16:diamond|0": { "extractive_match_pass@4:16": 0.7 },
      },
      { "swallow|aime_N16:24": 30, "swallow|aime_N16:25": 30, "swallow|gpqa_N16:diamond": 198 },
    );
    const result = aggregate({ modelName: MODEL, rawResultsDir: dir, conf: conf() });
    const values = JSON.parse(result.text).results;
    expect(values.polymath_ja_high_top).toBeCloseTo((0.5 * 100 + 0.2 * 50) / 150, 12);
    expect(values.polymath_ja_medium).toBe(0.9);
    expect(values["aime_2024_2025_pass@1:16"]).toBeCloseTo(0.375, 12);
    expect(values["aime_2024_2025_maj@16:16"]).toBeCloseTo(0.5, 12);
    expect(values["gpqa_diamond_pass@4:16"]).toBe(0.7);
    expect(values["gpqa_diamond_pass@1:16"]).toBe(-1);
    if (hasPython) {
      const outDir = join(await testdir(), "out");
      mkdirSync(outDir);
      expect(result.text).toBe(runOracle({ modelName: MODEL, rawDir: dir, outDir, conf: conf() }));
    }
  });
});

describe("aggregation table files", () => {
  it("make a column -1 with the file, line and reason for an unknown function or white list", async () => {
    const root = await testdir({
      "conf/aggregate/mine.yaml": [
        "kind: sweval/aggregate-conf",
        "version: 1",
        "name: mine",
        "whiteLists: { LIST: [a] }",
        "columns:",
        '  - { name: ok, fn: pick, metric: m, task: "s|t|0" }',
        '  - { name: typo_fn, fn: pik, metric: m, task: "s|t|0" }',
        '  - { name: typo_list, fn: micro_average, metric: m, whiteList: LSIT, task: "s|t|0" }',
      ].join("\n"),
    });
    const dir = await testdir();
    resultsFile(dir, 1, { "s|t|0": { m: 0.5 } }, {});
    const result = aggregate({ modelName: MODEL, rawResultsDir: dir, conf: readAggregateConf("mine", root) });
    expect(JSON.parse(result.text).overall).toBe("0.5,-1,-1");
    expect(result.messages).toEqual([
      expect.stringMatching(/mine\.yaml:7: column "typo_fn": unknown function "pik" \(did you mean "pick"\?\); the column is -1/),
      expect.stringMatching(/mine\.yaml:8: column "typo_list": unknown white list "LSIT" \(did you mean "LIST"\?\); the column is -1/),
    ]);
  });

  it.each([
    ["malformed YAML", "kind: sweval/aggregate-conf\nversion: 1\ncolumns: [\n", /mine\.yaml:\d+: malformed YAML/],
    ["another kind", "kind: other\nversion: 1\n", /mine\.yaml:1: expected kind: sweval\/aggregate-conf and version: 1/],
    [
      "a column without task",
      "kind: sweval/aggregate-conf\nversion: 1\nname: x\ncolumns:\n  - { name: a, fn: pick, metric: m }\n",
      /mine\.yaml:5: field "columns\.0\.task": invalid aggregation table/,
    ],
    [
      "a duplicate column",
      "kind: sweval/aggregate-conf\nversion: 1\nname: x\ncolumns:\n  - { name: a, fn: pick, metric: m, task: t }\n  - { name: a, fn: pick, metric: m, task: t }\n",
      /mine\.yaml:6: field "name": column "a" is declared twice/,
    ],
  ])("throw InputError for %s", async (_, text, message) => {
    const root = await testdir({ "conf/aggregate/mine.yaml": text });
    expect(() => readAggregateConf("mine", root)).toThrow(message);
  });
});
