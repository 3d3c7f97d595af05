import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { chromiumPath, launchChromium, realWriterPython, repoRoot, runBin, testdir } from "@sweval/test-utils";
import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { SampleLineSchema } from "../src/schema.js";
import { startServer } from "../src/server.js";

const bin = join(repoRoot, "packages/details-viewer/bin/sweval-details.js");

/**
 * A details row as the fork writes MT-Bench (real-programs.md §3.5 family D): `full_prompt` one message list per
 * turn (list<list<struct<role, content>>>), `predictions` turns × samples (list<list<string>>), `gold` []. Written by
 * the Node writer with the nesting pyarrow infers for those rows.
 */
function mtBenchFile(dir: string): string {
  const optional = (name: string, type: string, extra: Record<string, unknown> = {}) => ({
    name,
    type,
    repetition_type: "OPTIONAL",
    ...extra,
  });
  const utf8 = (name: string) => optional(name, "BYTE_ARRAY", { converted_type: "UTF8" });
  const list = (name: string, children: Array<Record<string, unknown>>) => [
    { name, repetition_type: "OPTIONAL", num_children: 1, converted_type: "LIST" },
    { name: "list", repetition_type: "REPEATED", num_children: 1 },
    ...children,
  ];
  const schema = [
    { name: "schema", num_children: 5 },
    utf8("example"),
    ...list("full_prompt", [
      { name: "element", repetition_type: "OPTIONAL", num_children: 1, converted_type: "LIST" },
      { name: "list", repetition_type: "REPEATED", num_children: 1 },
      { name: "element", repetition_type: "OPTIONAL", num_children: 2 },
      utf8("role"),
      utf8("content"),
    ]),
    ...list("gold", [utf8("element")]),
    { name: "metrics", repetition_type: "OPTIONAL", num_children: 7 },
    optional("judge_score_overall_avg", "DOUBLE"),
    ...[1, 2].flatMap((turn) => [
      ...list(`judge_score_overall_turn_${turn}`, [optional("element", "INT64")]),
      optional(`judge_score_overall_turn_${turn}_avg`, "DOUBLE"),
      ...list(`judgement_overall_turn_${turn}`, [utf8("element")]),
    ]),
    ...list("predictions", [
      { name: "element", repetition_type: "OPTIONAL", num_children: 1, converted_type: "LIST" },
      { name: "list", repetition_type: "REPEATED", num_children: 1 },
      utf8("element"),
    ]),
  ];
  const q1 = "日本の四季について短い詩を書いてください。";
  const q2 = "その詩を英語に訳してください。";
  const columnData = [
    { name: "example", data: [q1] },
    {
      name: "full_prompt",
      data: [
        [
          [{ role: "user", content: q1 }],
          [
            { role: "user", content: q1 },
            { role: "assistant", content: "春は桜、夏は蝉" },
            { role: "user", content: q2 },
          ],
        ],
      ],
    },
    { name: "gold", data: [[]] },
    {
      name: "metrics",
      data: [
        {
          judge_score_overall_avg: 7.8,
          judge_score_overall_turn_1: [8n, 9n, 8n, 7n, 9n],
          judge_score_overall_turn_1_avg: 8.2,
          judgement_overall_turn_1: Array.from({ length: 5 }, () => "… Rating: [[8]]"),
          judge_score_overall_turn_2: [7n, 7n, 8n, 6n, 9n],
          judge_score_overall_turn_2_avg: 7.4,
          judgement_overall_turn_2: Array.from({ length: 5 }, () => "… Rating: [[7]]"),
        },
      ],
    },
    {
      name: "predictions",
      data: [
        [
          ["春は桜、夏は蝉", "春は桜…", "春は桜…", "春は桜…", "春は桜…"],
          ["Cherry blossoms in spring", "…", "…", "…", "…"],
        ],
      ],
    },
  ];
  const file = join(dir, "details_swallow|japanese_mt_bench|0_2025-08-18T12-34-56.789012.parquet");
  writeFileSync(file, new Uint8Array(parquetWriteBuffer({ schema, columnData } as Parameters<typeof parquetWriteBuffer>[0])));
  return file;
}

describe("a real MT-Bench details row (per-turn prompts, turns × samples)", () => {
  it("shows the turns and their messages in show --json, table and md, never undefined", async () => {
    const file = mtBenchFile(await testdir());
    const jsonl = await runBin(bin, ["show", file, "--json"]);
    expect(jsonl.exitCode, jsonl.stderr).toBe(0);
    const sample = SampleLineSchema.parse(JSON.parse(jsonl.stdout.trim()));
    expect(sample.prompt).toEqual([
      [{ role: "user", content: "日本の四季について短い詩を書いてください。" }],
      [
        { role: "user", content: "日本の四季について短い詩を書いてください。" },
        { role: "assistant", content: "春は桜、夏は蝉" },
        { role: "user", content: "その詩を英語に訳してください。" },
      ],
    ]);
    expect(sample.predictions).toHaveLength(2);
    expect(sample.predictions[0]).toHaveLength(5);
    for (const format of ["table", "md"]) {
      const shown = await runBin(bin, ["show", file, "--format", format]);
      expect(shown.stdout).toContain("[turn 1]");
      expect(shown.stdout).not.toContain("undefined");
    }
  });

  it("the served sample page renders each turn as a conversation and each turn's samples under it", async () => {
    const dir = await testdir();
    const file = mtBenchFile(dir);
    const { server, url } = await startServer({ root: dir });
    try {
      const html = await (await fetch(new URL(`/sample?file=${encodeURIComponent(relative(dir, file))}&i=0`, url))).text();
      expect(html, html.slice(0, 2000)).not.toContain("undefined");
      expect(html.match(/<h5>turn \d<\/h5>/g), html.slice(-1500)).toEqual(["<h5>turn 1</h5>", "<h5>turn 2</h5>"]);
      expect(html).toMatch(/<div class="message role-assistant"><b>assistant<\/b><pre>春は桜、夏は蝉<\/pre><\/div>/);
      expect(html).toContain("<h5>turn 2: 5 sample(s)</h5>");
      expect(html.match(/<b>sample \d<\/b>/g)).toHaveLength(10);
    } finally {
      server.close();
    }
  });
});

/** The real writer's MT-Bench file (datasets + pyarrow, the fork's row shapes) where a python has them, else ours. */
async function realOrNodeFile(): Promise<{ dir: string; file: string; writer: string }> {
  const dir = await testdir();
  const python = realWriterPython();
  if (python) {
    const made = spawnSync(python, [join(repoRoot, "packages/inference-runner/tests/oracle/fork_details.py"), dir], { encoding: "utf8" });
    if (made.status === 0) return { dir, file: join(dir, "mt_bench.parquet"), writer: "datasets + pyarrow" };
  }
  return { dir, file: mtBenchFile(dir), writer: "hyparquet-writer" };
}

describe.skipIf(!chromiumPath && !process.env.CI)(
  chromiumPath ? "an MT-Bench sample in headless Chromium" : "an MT-Bench sample in a browser (skipped: chromium is not installed)",
  () => {
    it("shows each turn as a conversation and each turn's samples, with the judge's metrics", async () => {
      const { dir, file, writer } = await realOrNodeFile();
      const { server, url } = await startServer({ root: dir });
      const { browser, close } = await launchChromium();
      try {
        const page = await browser.newPage();
        await page.goto(new URL(`/sample?file=${encodeURIComponent(relative(dir, file))}&i=0`, url).href);
        expect((await page.locator(".turn h5").allTextContents()).slice(0, 4), writer).toEqual([
          "turn 1",
          "turn 2",
          "turn 1: 5 sample(s)",
          "turn 2: 5 sample(s)",
        ]);
        // The judge apart: each turn's scores and its five judgements.
        expect(await page.locator(".judge h5").first().textContent()).toMatch(/^turn 1: scores \[[\d,]+\] \(mean [\d.]+\)$/);
        expect(await page.locator(".judge").first().locator(".judgement").count()).toBe(5);
        expect(await page.locator(".turn").nth(1).locator(".message b").allTextContents()).toEqual(["user", "assistant", "user"]);
        expect(await page.locator("pre.metrics").textContent()).toContain("judge_score_overall");
        expect(await page.content()).not.toContain("undefined");
        // For a person to look at: SWEVAL_SCREENSHOT_DIR keeps the page as an image.
        if (process.env.SWEVAL_SCREENSHOT_DIR)
          await page.screenshot({
            path: join(process.env.SWEVAL_SCREENSHOT_DIR, `mt-bench-${writer.replace(/\W+/g, "-")}.png`),
            fullPage: true,
          });
      } finally {
        await close();
        server.close();
      }
    }, 60_000);
  },
);

describe("a results file with the bare NaN the fork writes", () => {
  it("still gives its scores (NaN shown as NaN) instead of marking the file unreadable", async () => {
    const { listDetails } = await import("../src/index.js");
    const root = await testdir({
      "results/hosted_vllm/org/m/results_2025-08-18T12-34-56.789012.json":
        '{"results": {"swallow|japanese_mt_bench|0": {"judge_score_overall_avg": 0.78, "japanese_ratio_overall": NaN, "note": "NaN, as text"}}, "config_tasks": {}}',
    });
    const [entry] = await listDetails(root);
    expect(entry).toMatchObject({ layout: "results", task: "swallow|japanese_mt_bench|0" });
    expect(entry?.scores?.judge_score_overall_avg).toBe(0.78);
    expect(entry?.scores?.japanese_ratio_overall).toBeNaN();
  });
});
