import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openDetails, readRows } from "@sweval/details-viewer";
import { realWriterPython, repoRoot, skipNote, swallowCheckout, testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { forkDateId, pythonRepr } from "../src/rehearse/fork-results.js";
import { xxh64Hex } from "../src/rehearse/xxh64.js";

const standIn = join(repoRoot, "packages/inference-runner/dist/rehearse/lighteval.js");

/** Runs the stand-in as the runner does, and returns the results document it wrote and the folder it wrote it in. */
async function rehearse(taskDef: string, options: { model?: string; cwd?: string; extra?: string[] } = {}) {
  const out = await testdir();
  const model = options.model ?? "rehearsal/hosted_vllm/org/model";
  const config = join(out, "model_config.yaml");
  writeFileSync(
    config,
    `model:\n    base_params:\n        model_name: ${model}\n        \n    generation:\n        temperature: 0.6\n        top_p: 0.95\n`,
  );
  const run = spawnSync(
    process.execPath,
    [
      standIn,
      "endpoint",
      "litellm",
      config,
      taskDef,
      "--use-chat-template",
      "--output-dir",
      out,
      "--output-subdir",
      "",
      "--save-details",
      ...(options.extra ?? []),
    ],
    {
      encoding: "utf8",
      cwd: options.cwd ?? out,
    },
  );
  expect(run.status, run.stderr).toBe(0);
  const resultsDir = join(out, "results", model);
  const [file = ""] = readdirSync(resultsDir).filter((name) => name.startsWith("results_"));
  const text = readFileSync(join(resultsDir, file), "utf8");
  return { document: JSON.parse(text), text, file, out, model };
}

describe("the rehearsal writes the results JSON the fork writes (real-programs.md §3.1-3.4)", () => {
  it("top level and config_general, field by field", async () => {
    const { document, file, text } = await rehearse("swallow|aime|0|0");
    // Python's json.dumps writes a float with its decimal point, where JavaScript would write 1 or 0.
    expect(text).toMatch(/"temperature": 0\.6,/);
    expect(text).toMatch(/"effective_few_shots": 0\.0,/);
    expect(text).toMatch(/"extractive_match": \d\.\d+(e-\d+)?,/);
    expect(text).not.toMatch(/"extractive_match": [01],/);
    expect(Object.keys(document)).toEqual(["config_general", "results", "versions", "config_tasks", "summary_tasks", "summary_general"]);
    const general = document.config_general;
    expect(Object.keys(general)).toEqual([
      "lighteval_sha",
      "num_fewshot_seeds",
      "override_batch_size",
      "max_samples",
      "job_id",
      "start_time",
      "end_time",
      "total_evaluation_time_secondes",
      "model_name",
      "model_sha",
      "model_dtype",
      "model_size",
      "generation_parameters",
    ]);
    expect(general).toMatchObject({ lighteval_sha: "?", num_fewshot_seeds: 1, override_batch_size: -1, max_samples: null, job_id: 0 });
    expect(general).toMatchObject({ model_sha: "", model_dtype: null, model_size: "" });
    expect(typeof general.total_evaluation_time_secondes).toBe("string");
    expect(general.end_time).toBeGreaterThanOrEqual(general.start_time);
    expect(Object.keys(general.generation_parameters)).toHaveLength(17);
    expect(general.generation_parameters).toMatchObject({ temperature: 0.6, top_p: 0.95, max_n: null, reasoning_effort: null });
    // Local time, microseconds, the fraction omitted when it is 0.
    expect(file).toMatch(/^results_\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d(\.\d{6})?\.json$/);
    expect(forkDateId(new Date(2025, 7, 18, 12, 34, 56), 0)).toBe("2025-08-18T12-34-56");
    expect(forkDateId(new Date(2025, 7, 18, 12, 34, 56), 789012)).toBe("2025-08-18T12-34-56.789012");
  });

  it("results: each metric then its _stderr, :_average where subtasks share a task, all last; versions; config_tasks; summaries", async () => {
    const { document, out, model } = await rehearse("swallow|aime|0|0");
    const keys = Object.keys(document.results);
    expect(keys).toEqual(["swallow|aime:24|0", "swallow|aime:25|0", "swallow|aime:_average|0", "all"]);
    expect(Object.keys(document.results["swallow|aime:24|0"])).toEqual(["extractive_match", "extractive_match_stderr"]);
    const [a, b] = [document.results["swallow|aime:24|0"].extractive_match, document.results["swallow|aime:25|0"].extractive_match];
    expect(document.results["swallow|aime:_average|0"].extractive_match).toBeCloseTo((a + b) / 2, 12);
    expect(document.results.all.extractive_match).toBeCloseTo((a + b) / 2, 12);
    expect(document.versions).toEqual({ "swallow|aime:24|0": 1, "swallow|aime:25|0": 1 });
    const entry = document.config_tasks["swallow|aime:24"];
    expect(Object.keys(entry)).toEqual([
      "name",
      "prompt_function",
      "hf_repo",
      "hf_subset",
      "metric",
      "hf_revision",
      "hf_filter",
      "hf_avail_splits",
      "trust_dataset",
      "evaluation_splits",
      "few_shots_split",
      "few_shots_select",
      "generation_size",
      "generation_grammar",
      "stop_sequence",
      "num_samples",
      "suite",
      "original_num_docs",
      "effective_num_docs",
      "must_remove_duplicate_docs",
      "version",
    ]);
    // effective_num_docs is the number of rows written to that subtask's details file.
    const detailsDir = join(out, "details", model);
    const [run = ""] = readdirSync(detailsDir);
    const [details = ""] = readdirSync(join(detailsDir, run)).filter((name) => name.includes("aime:24"));
    expect((await openDetails(join(detailsDir, run, details))).numRows).toBe(entry.effective_num_docs);
    expect(Object.keys(document.summary_tasks["swallow|aime:24|0"])).toEqual([
      "hashes",
      "truncated",
      "non_truncated",
      "padded",
      "non_padded",
      "effective_few_shots",
      "num_truncated_few_shots",
    ]);
    // xxh64 over the sorted xxh64s of each row's query, as the fork's summary (checked against Python's xxhash below).
    const rows = await readRows(await openDetails(join(detailsDir, run, details)), { columns: ["example"] });
    const examples = rows.map((row) => String(row.example));
    expect(document.summary_tasks["swallow|aime:24|0"].hashes.hash_examples).toBe(xxh64Hex(examples.map(xxh64Hex).sort().join("")));
    expect(document.summary_general).not.toHaveProperty("effective_few_shots");
    expect(document.summary_general.non_truncated).toBe(2 * entry.effective_num_docs);
  });

  it("one subtask gets no :_average; --max-samples is recorded and sets the rows; one document has no _stderr", async () => {
    const { document } = await rehearse("swallow|gpqa:diamond|0|0", { extra: ["--max-samples", "1"] });
    expect(Object.keys(document.results)).toEqual(["swallow|gpqa:diamond|0", "all"]);
    expect(document.config_general.max_samples).toBe(1);
    expect(Object.keys(document.results["swallow|gpqa:diamond|0"])).toEqual(["extractive_match"]);
    expect(document.config_tasks["swallow|gpqa:diamond"].effective_num_docs).toBe(1);
  });

  it("stderr: the standard error of the mean for mean metrics, a seeded bootstrap for the judge's averages", async () => {
    const { bootstrapError } = await import("../src/rehearse/fork-results.js");
    const values = [1, 0, 1, 1, 0, 0, 1, 1, 1, 0];
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    const sem = Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1) / values.length);
    const { document } = await rehearse("swallow|gpqa:diamond|0|0");
    const row = document.results["swallow|gpqa:diamond|0"];
    expect(row.extractive_match_stderr).toBeGreaterThan(0);
    const bootstrapped = bootstrapError(values, "seed");
    expect(bootstrapped).toBe(bootstrapError(values, "seed"));
    expect(bootstrapped).not.toBe(sem);
    expect(Math.abs(bootstrapped - sem) / sem).toBeLessThan(0.25);
    const mtBench = (await rehearse("swallow|japanese_mt_bench|0|0")).document.results["swallow|japanese_mt_bench|0"];
    const judge = Object.keys(mtBench).find((key) => key.startsWith("judge_score") && !key.endsWith("_stderr"));
    expect(mtBench[`${judge}_stderr`]).toBeGreaterThan(0);
  });

  it("JMMLU has the fork's 53 subsets, not the white lists' 57", async () => {
    const { document } = await rehearse("swallow|swallow_jmmlu|0|0");
    const subsets = Object.keys(document.config_tasks).map((key) => key.split(":")[1]);
    expect(subsets).toHaveLength(53);
    expect(subsets).toEqual(expect.arrayContaining(["japanese_history", "world_history", "anatomy"]));
    expect(subsets).not.toContain("moral_scenarios");
  });

  it("V5's fork adds chat_template_kwargs after reasoning_effort (18 generation parameters)", async () => {
    const checkout = await swallowCheckout("v202604");
    const { document } = await rehearse("swallow|gpqa:diamond|0|0", { cwd: checkout });
    const fields = Object.keys(document.config_general.generation_parameters);
    expect(fields).toHaveLength(18);
    expect(fields[fields.indexOf("reasoning_effort") + 1]).toBe("chat_template_kwargs");
  });

  it("scores are varied per task and per model, and the same on a second run", async () => {
    const one = await rehearse("swallow|swallow_jmmlu|0|0", { model: "rehearsal/hosted_vllm/org/a" });
    const again = await rehearse("swallow|swallow_jmmlu|0|0", { model: "rehearsal/hosted_vllm/org/a" });
    const other = await rehearse("swallow|swallow_jmmlu|0|0", { model: "rehearsal/hosted_vllm/org/b" });
    const scores = (document: typeof one.document) =>
      Object.entries(document.results as Record<string, { extractive_match: number }>)
        .filter(([key]) => key !== "all" && !key.includes("_average"))
        .map(([, row]) => row.extractive_match);
    expect(new Set(scores(one.document)).size).toBeGreaterThan(3);
    expect(scores(again.document)).toEqual(scores(one.document));
    expect(scores(other.document)).not.toEqual(scores(one.document));
  });
});

describe("the rehearsal sends what the fork sends, so a wrong key or a wrong max_n fails it", () => {
  const server = join(repoRoot, "packages/inference-runner/dist/rehearse/server.js");

  async function withServer<T>(maxN: number, body: (baseUrl: string, log: () => string) => Promise<T>): Promise<T> {
    const { freePort } = await import("../src/index.js");
    const port = await freePort();
    const { spawn } = await import("node:child_process");
    const child = spawn(process.execPath, [server, "serve", "org/model", "--port", String(port)], {
      env: { ...process.env, SWEVAL_REHEARSE_VLLM_MAX_N: String(maxN), SWEVAL_REHEARSE_VLLM_DELAY_MS: "0" },
      stdio: ["ignore", "pipe", "ignore"],
    });
    let log = "";
    child.stdout.on("data", (chunk) => (log += chunk));
    try {
      for (let i = 0; i < 50; i++) {
        const up = await fetch(`http://127.0.0.1:${port}/health`).then(
          (r) => r.ok,
          () => false,
        );
        if (up) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      return await body(`http://127.0.0.1:${port}/v1`, () => log);
    } finally {
      child.kill();
    }
  }

  function lighteval(baseUrl: string, taskDef: string, generation: string) {
    return testdir().then((out) => {
      const config = join(out, "model_config.yaml");
      writeFileSync(
        config,
        `model:\n    base_params:\n        model_name: hosted_vllm/org/model\n        base_url: ${baseUrl}\n    generation:\n${generation}`,
      );
      return spawnSync(
        process.execPath,
        [standIn, "endpoint", "litellm", config, taskDef, "--output-dir", out, "--output-subdir", "", "--save-details"],
        {
          encoding: "utf8",
        },
      );
    });
  }

  it("a code task (num_samples 10): one n=10 call, or ten n=1 calls when max_n is smaller; max_new_tokens as max_completion_tokens", async () => {
    await withServer(1024, async (baseUrl, log) => {
      const one = await lighteval(
        baseUrl,
        "swallow|lcb:codegeneration_v5_v6|0|0",
        "        temperature: 0.2\n        max_new_tokens: 2048\n",
      );
      expect(one.status, one.stderr).toBe(0);
      expect(one.stdout).toContain("1 call(s) with n=10 for num_samples 10");
      // spawnSync held the event loop: let the server's log lines arrive.
      await new Promise((r) => setTimeout(r, 200));
      expect(log()).toMatch(/200 OK model=org\/model n=10/);
      const split = await lighteval(baseUrl, "swallow|lcb:codegeneration_v5_v6|0|0", "        max_n: 1\n");
      expect(split.stdout).toContain("10 call(s) with n=1 for num_samples 10 (max_n 1)");
    });
  });

  it("fails on a server that takes fewer than num_samples per request unless max_n splits the calls", async () => {
    await withServer(4, async (baseUrl) => {
      const refused = await lighteval(baseUrl, "swallow|swallow_jhumaneval|0|0", "        temperature: 0.2\n");
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/BadRequestError: the endpoint answered HTTP 400: .*n must be at most 4/);
      const split = await lighteval(baseUrl, "swallow|swallow_jhumaneval|0|0", "        max_n: 4\n");
      expect(split.status, split.stderr).toBe(0);
    });
  });

  it("fails on a generation key the fork does not have (max_tokens instead of max_new_tokens)", async () => {
    await withServer(1024, async (baseUrl) => {
      const result = await lighteval(baseUrl, "swallow|gpqa:diamond|0|0", "        max_tokens: 8\n");
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/GenerationParameters.__init__\(\) got an unexpected keyword argument 'max_tokens'/);
    });
  });
});

describe("the details viewer on a rehearsal's run", () => {
  it.each([
    ["multiple choice", "swallow|gpqa:diamond|0|0", "extractive_match"],
    ["code", "swallow|swallow_jhumaneval|0|0", "humaneval_pass@1:10"],
    ["MT-Bench", "swallow|japanese_mt_bench|0|0", "judge_score_overall_avg"],
  ])("diff pairs two models' %s runs by prompt and counts the flips", async (_family, taskDef, metric) => {
    const file = async (model: string) => {
      const { out } = await rehearse(taskDef, { model });
      const dir = join(out, "details", model);
      const [run = ""] = readdirSync(dir);
      const [name = ""] = readdirSync(join(dir, run));
      return join(dir, run, name);
    };
    const [a, b] = [await file("rehearsal/hosted_vllm/org/a"), await file("rehearsal/hosted_vllm/org/b")];
    const diff = spawnSync(
      process.execPath,
      [join(repoRoot, "packages/details-viewer/bin/sweval-details.js"), "diff", a, b, "--json", "--metric", metric],
      {
        encoding: "utf8",
      },
    );
    expect(diff.status, diff.stderr).toBe(0);
    const [task] = JSON.parse(diff.stdout).tasks;
    expect(task).toMatchObject({ paired: 10, pairedBy: "prompt", metric });
    expect(task.bothRight + task.bothWrong + task.rightToWrong.length + task.wrongToRight.length).toBe(10);
  });

  it("shows a code task's 10 predictions per sample and its specifics (JHumanEval's fields in the fork's order)", async () => {
    const { out, model } = await rehearse("swallow|swallow_jhumaneval|0|0");
    const dir = join(out, "details", model);
    const [run = ""] = readdirSync(dir);
    const [file = ""] = readdirSync(join(dir, run));
    const shown = spawnSync(
      process.execPath,
      [join(repoRoot, "packages/details-viewer/bin/sweval-details.js"), "show", join(dir, run, file), "--json", "--rows", "0..1"],
      { encoding: "utf8" },
    );
    const sample = JSON.parse(shown.stdout.trim());
    expect(sample.predictions).toHaveLength(10);
    expect(Object.keys(sample.specifics)).toEqual(["fn_name", "task_id", "check_fn", "extracted_predictions", "results", "context"]);
    const { startServer } = await import("@sweval/details-viewer");
    const { server, url } = await startServer({ root: out });
    try {
      const html = await (await fetch(new URL(`/sample?file=${encodeURIComponent(join("details", model, run, file))}&i=0`, url))).text();
      expect(html.match(/<b>prediction \d+<\/b>/g)).toHaveLength(10);
    } finally {
      server.close();
    }
  });

  it("groups JMMLU's 53 subsets under one heading with their average, each task with the run's scores", async () => {
    const { document, out } = await rehearse("swallow|swallow_jmmlu|0|0");
    const { startServer } = await import("@sweval/details-viewer");
    const { server, url } = await startServer({ root: out });
    try {
      const html = await (await fetch(new URL("/", url))).text();
      const headings = html.match(/<tr class="benchmark-heading"><th colspan="6">[^<]*<\/th><\/tr>/g) ?? [];
      expect(headings).toHaveLength(1);
      const rows = Object.entries(document.results as Record<string, { extractive_match: number }>).filter(
        ([key]) => key.includes(":") && !key.includes("_average"),
      );
      const average = rows.reduce((sum, [, row]) => sum + row.extractive_match, 0) / rows.length;
      expect(headings[0]).toContain(`swallow|swallow_jmmlu|0: 53 subsets · average extractive_match ${Number(average.toFixed(4))}`);
      expect(html.match(/<a class="task"/g)).toHaveLength(53);
    } finally {
      server.close();
    }
  });
});

const python = realWriterPython();
skipNote(
  Boolean(python),
  "checking xxh64 and str() against Python's xxhash",
  "SWEVAL_PYTHON is not set; xxh64 is checked on published test vectors only",
);

describe("the summary hashes are the fork's: xxh64 of the UTF-8 text, str() of the messages", () => {
  const texts = [
    "",
    "abc",
    "a".repeat(100),
    "こんにちは、世界",
    "it's",
    'say "hi"',
    `both ' and "`,
    "tab\tnew\nline\\",
    "\u0001",
    "x".repeat(31),
    "y".repeat(33),
  ];

  it("matches XXH64's published vectors", () => {
    expect(xxh64Hex("")).toBe("ef46db3751d8e999");
    expect(xxh64Hex("abc")).toBe("44bc2cf5ad770999");
  });

  it.skipIf(!python)("matches Python's xxhash and str() on Japanese, quotes, escapes and every length path", () => {
    const script =
      "import sys, json, xxhash\ntexts = json.load(sys.stdin)\nprint(json.dumps({'hash': [xxhash.xxh64(t.encode()).hexdigest() for t in texts], 'repr': [repr(t) for t in texts]}))";
    const answer = spawnSync(python as string, ["-c", script], { input: JSON.stringify(texts), encoding: "utf8" });
    expect(answer.status, answer.stderr).toBe(0);
    const oracle = JSON.parse(answer.stdout) as { hash: string[]; repr: string[] };
    expect(texts.map(xxh64Hex)).toEqual(oracle.hash);
    expect(texts.map(pythonRepr)).toEqual(oracle.repr);
  });
});
