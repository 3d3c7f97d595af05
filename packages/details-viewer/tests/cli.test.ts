import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runBin, sharedRoot, skipNote, testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { mcnemarExact } from "../src/index.js";
import { DetailsDiffSchema, DetailsListingSchema, SampleLineSchema } from "../src/schema.js";

const bin = fileURLToPath(new URL("../bin/sweval-details.js", import.meta.url));
const fixtures = join(sharedRoot, "reference/parquet-fixtures");
const have = skipNote(existsSync(fixtures), "sweval-details on the pyarrow fixtures", `${fixtures} is absent (../shared beside the repo)`);

/** lighteval's layout: details/<model>/<date_id>/details_<task>_<date_id>.parquet, two runs of gpqa. */
export async function detailsTree() {
  const root = await testdir();
  const put = (model: string, dateId: string, file: string, as?: string) => {
    const dir = join(root, model, dateId);
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(fixtures, file), join(dir, as ?? file));
  };
  put("hosted_vllm/org/a/default", "2025-08-18T12-30-00.123456", "details_swallow|gpqa:diamond|0_2025-08-18T12-30-00.123456.parquet");
  put("hosted_vllm/org/a/default", "2025-08-18T12-34-56.789012", "details_swallow|japanese_mt_bench|0_2025-08-18T12-34-56.789012.parquet");
  put(
    "hosted_vllm/org/b/default",
    "2025-08-19T10-00-00.000001",
    "details_swallow|math_500|0_2025-08-18T12-40-00.000002.zstd.parquet",
    "details_swallow|gpqa:diamond|0_2025-08-19T10-00-00.000001.parquet",
  );
  return root;
}

describe("mcnemarExact", () => {
  it.each([
    [0, 0, 1],
    [5, 5, 1],
    [10, 0, 0.001953125],
    [1, 6, 0.125],
  ])("b=%i c=%i gives p=%f", (b, c, p) => {
    expect(mcnemarExact(b, c)).toBeCloseTo(p, 9);
  });
});

describe.skipIf(!have)(have ? "sweval-details" : "sweval-details (skipped: ../shared/reference/parquet-fixtures is absent)", () => {
  it("ls lists runs and tasks newest first with row counts and layouts", async () => {
    const root = await detailsTree();
    const result = await runBin(bin, ["ls", root, "--json"]);
    const { entries } = DetailsListingSchema.parse(JSON.parse(result.stdout));
    expect(
      entries.map((e: { dateId: string; task: string; rows: number; layout: string }) => [e.dateId, e.task, e.rows, e.layout]),
    ).toEqual([
      ["2025-08-19T10-00-00.000001", "swallow|gpqa:diamond|0", 40, "flat"],
      ["2025-08-18T12-34-56.789012", "swallow|japanese_mt_bench|0", 40, "swallow"],
      ["2025-08-18T12-30-00.123456", "swallow|gpqa:diamond|0", 40, "flat"],
    ]);
    expect(entries[0]?.model).toBe("hosted_vllm/org/b/default");
  });

  it("ls reads lighteval's outputs dir: details joined with the run's scores, and tasks that only have scores", async () => {
    const outputs = await testdir();
    const details = await detailsTree();
    const model = "hosted_vllm/org/a/default";
    mkdirSync(join(outputs, "details"), { recursive: true });
    cpSync(details, join(outputs, "details"), { recursive: true });
    mkdirSync(join(outputs, "results", model), { recursive: true });
    const results = {
      config_general: { model_name: "hosted_vllm/org/a" },
      results: {
        "swallow|gpqa:diamond|0": { extractive_match: 0.375, extractive_match_stderr: 0.07 },
        "swallow|math_500|0": { "math_pass@1:1_samples": 0.5 },
        all: { extractive_match: 0.4 },
      },
      config_tasks: { "swallow|gpqa:diamond": { effective_num_docs: 40 }, "swallow|math_500": { effective_num_docs: 500 } },
    };
    writeFileSync(join(outputs, "results", model, "results_2025-08-18T12-30-00.123456.json"), JSON.stringify(results));
    const json = await runBin(bin, ["ls", outputs, "--json"]);
    expect(json.exitCode).toBe(0);
    const { entries } = DetailsListingSchema.parse(JSON.parse(json.stdout));
    const run = entries.filter((e) => e.dateId === "2025-08-18T12-30-00.123456");
    expect(run.map((e) => [e.model, e.task, e.rows, e.layout, e.scores])).toEqual([
      [model, "swallow|gpqa:diamond|0", 40, "flat", { extractive_match: 0.375 }],
      [model, "swallow|math_500|0", 500, "results", { "math_pass@1:1_samples": 0.5 }],
    ]);
    expect(entries).toHaveLength(4);
    const table = await runBin(bin, ["ls", join(outputs, "results")]);
    // The results dir alone: every task comes from the results file.
    expect(table.stdout).toBe(
      `2025-08-18T12-30-00.123456  ${model}  swallow|gpqa:diamond|0  40 rows  results  extractive_match=0.375\n` +
        `2025-08-18T12-30-00.123456  ${model}  swallow|math_500|0  500 rows  results  math_pass@1:1_samples=0.5\n`,
    );
    const shown = await runBin(bin, ["show", outputs, "--task", "gpqa", "--rows", "0..1", "--format", "jsonl"]);
    expect([shown.exitCode, shown.stdout.trim().split("\n")].map((v) => (Array.isArray(v) ? v.length : v))).toEqual([0, 1]);
  });

  it("show prints a row range as a table, JSON Lines or Markdown, filtered by metric and text", async () => {
    const root = await detailsTree();
    const file = join(
      root,
      "hosted_vllm/org/a/default/2025-08-18T12-30-00.123456/details_swallow|gpqa:diamond|0_2025-08-18T12-30-00.123456.parquet",
    );
    const truth = readFileSync(join(fixtures, "flat.truth.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const jsonl = await runBin(bin, ["show", file, "--rows", "10..13", "--format", "jsonl"]);
    const rows = jsonl.stdout
      .trim()
      .split("\n")
      .map((l) => SampleLineSchema.parse(JSON.parse(l)));
    expect(rows.map((r) => r.index)).toEqual([10, 11, 12]);
    // --json is the JSON form, as on every tool whose default is a table.
    expect(await runBin(bin, ["show", file, "--rows", "10..13", "--json"])).toEqual(jsonl);
    expect(rows[0]?.predictions).toEqual(truth[10].predictions);
    const metric = Object.keys(truth[0].metrics)[0] as string;
    const wrong = await runBin(bin, ["show", file, "--rows", "0..40", "--where", `${metric}<1`, "--format", "jsonl"]);
    const expected = truth
      .map((t, i) => [t, i] as const)
      .filter(([t]) => typeof t.metrics[metric] === "number" && t.metrics[metric] < 1)
      .map(([, i]) => i);
    expect(
      wrong.stdout
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l).index),
    ).toEqual(expected);
    const table = await runBin(bin, ["show", file, "--rows", "0..3"]);
    expect(table.stdout.split("\n")[0]).toMatch(/^index\s+prompt\s+prediction\s+gold\s+metrics$/);
    const md = await runBin(bin, [
      "show",
      root,
      "--task",
      "japanese_mt_bench",
      "--rows",
      "0..2",
      "--format",
      "md",
      "--columns",
      "predictions,metrics",
    ]);
    expect(md.stdout.split("\n")[0]).toBe("| predictions | metrics |");
    // An open range streams to the end of the file, filters included.
    const lines = (stdout: string) =>
      stdout
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => SampleLineSchema.parse(JSON.parse(l)).index);
    const tail = await runBin(bin, ["show", file, "--rows", "35..", "--format", "jsonl"]);
    expect([lines(tail.stdout), tail.stderr]).toEqual([[35, 36, 37, 38, 39], "sweval-details: 5 sample(s) of 40\n"]);
    const allWrong = await runBin(bin, ["show", file, "--rows", "0..", "--where", `${metric}<1`, "--format", "jsonl"]);
    expect(lines(allWrong.stdout)).toEqual(expected);
    const bad = await runBin(bin, ["show", file, "--rows", "..5"]);
    expect([bad.exitCode, bad.stderr]).toEqual([2, expect.stringMatching(/--rows expects a\.\.b or a\.\. \(to the end\)/)]);
  });

  it("diff pairs two runs and reports flips with an exact McNemar p-value", async () => {
    const root = await detailsTree();
    const a = join(
      root,
      "hosted_vllm/org/a/default/2025-08-18T12-30-00.123456/details_swallow|gpqa:diamond|0_2025-08-18T12-30-00.123456.parquet",
    );
    const b = join(
      root,
      "hosted_vllm/org/b/default/2025-08-19T10-00-00.000001/details_swallow|gpqa:diamond|0_2025-08-19T10-00-00.000001.parquet",
    );
    const same = DetailsDiffSchema.parse(JSON.parse((await runBin(bin, ["diff", a, b, "--json"])).stdout));
    expect(same.tasks).toEqual([
      expect.objectContaining({
        task: "swallow|gpqa:diamond|0",
        paired: 40,
        pairedBy: "prompt",
        rightToWrong: [],
        wrongToRight: [],
        pValue: 1,
      }),
    ]);
    const text = await runBin(bin, ["diff", a, b]);
    expect(text.stdout).toMatch(/^swallow\|gpqa:diamond\|0: 40 pairs[\s\S]*McNemar exact p = 1\.00/);
  });

  it("diff of two run dirs compares every task they share, or the --task ones", async () => {
    const root = await detailsTree();
    const [a, b] = [join(root, "hosted_vllm/org/a/default"), join(root, "hosted_vllm/org/b/default")];
    const both = DetailsDiffSchema.parse(JSON.parse((await runBin(bin, ["diff", a, b, "--json"])).stdout));
    // A has gpqa and MT-Bench, B only gpqa.
    expect(both.tasks.map((t) => [t.task, t.paired, t.pairedBy])).toEqual([["swallow|gpqa:diamond|0", 40, "prompt"]]);
    const none = await runBin(bin, ["diff", a, b, "--task", "mt_bench"]);
    expect([none.exitCode, none.stderr]).toEqual([2, expect.stringMatching(/no task matching "mt_bench" has details in both runs/)]);
    const mixed = await runBin(bin, ["diff", a, both.tasks[0]?.b ?? ""]);
    expect([mixed.exitCode, mixed.stderr]).toEqual([2, expect.stringMatching(/two details files or two run dirs/)]);
  });

  it("exits 2 for a file that is not parquet, a truncated file and a dir without details", async () => {
    const root = await testdir({ "notes.txt": "hello" });
    const truncated = join(root, "details_x|y|0_2025-01-01T00-00-00.000001.parquet");
    writeFileSync(
      truncated,
      readFileSync(join(fixtures, "details_swallow|gpqa:diamond|0_2025-08-18T12-30-00.123456.parquet")).subarray(0, 5000),
    );
    const notParquet = await runBin(bin, ["show", join(root, "notes.txt")]);
    expect([notParquet.exitCode, notParquet.stderr]).toEqual([2, expect.stringMatching(/notes\.txt: not a parquet file/)]);
    const torn = await runBin(bin, ["show", truncated]);
    expect([torn.exitCode, torn.stderr]).toEqual([2, expect.stringMatching(/\.parquet: not a parquet file \(or truncated/)]);
    const empty = await runBin(bin, ["ls", await testdir()]);
    expect([empty.exitCode, empty.stderr]).toEqual([2, expect.stringMatching(/no details_\*\.parquet or results_\*\.json files here/)]);
  });
});
