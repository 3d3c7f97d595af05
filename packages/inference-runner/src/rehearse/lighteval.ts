// The rehearsal's stand-in for `lighteval endpoint litellm`: reads the model config YAML and the task the runner
// passes, sends the endpoint the requests the fork's LiteLLM client would send for one document (so a wrong key or
// max_n fails here), and writes the results JSON and the details parquet files the fork writes (fork-results.ts,
// details.ts), with texts marked as a rehearsal and under the rehearsal's model name.
// SWEVAL_REHEARSE_LIGHTEVAL_MODE: ok (default) | fail | hang (runs until killed, for the process tests).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { readAggregateConf } from "@sweval/aggregator";
import { parse } from "yaml";
import { parquetTable } from "./arrow-rows.js";
import { detailsRows, samplingN } from "./details.js";
import { forkDateId, forkResults, forkSubsets, GENERATION_FIELDS, pythonJson, type SubtaskRun, sampleScores } from "./fork-results.js";
import { lockedVllm } from "./locked-vllm.js";

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const [, , configPath = "", taskDef = ""] = args;
const outputDir = option("--output-dir") ?? "outputs";
const subdir = (option("--output-subdir") ?? "").replace(/^\//, "");
// The fork records --max-samples or null; a rehearsal evaluates 10 documents per subtask when none is given.
const maxSamples = option("--max-samples") === undefined ? null : Number(option("--max-samples"));
const rowsPerSubtask = maxSamples ?? 10;

async function main() {
  // The fork's --push-to-hub needs --results-org (main_endpoint.py); the stand-in says where it would push, offline.
  if (args.includes("--push-to-hub") && !option("--results-org")) {
    console.error("ValueError: You need to specify a results org when pushing to the hub (--results-org)");
    process.exit(1);
  }
  const config = parse(readFileSync(configPath, "utf8")) as {
    model: { base_params: { model_name: string; base_url?: string }; generation?: Record<string, unknown> };
  };
  const { model_name: modelName, base_url: baseUrl } = config.model.base_params;
  const [suite = "swallow", task = "", fewshot = "0"] = taskDef.split("|");
  console.log(`[REHEARSAL] lighteval stand-in: ${taskDef} with ${modelName} at ${baseUrl}`);
  if (args.includes("--push-to-hub"))
    console.log(
      `[REHEARSAL] would push to the private dataset ${option("--results-org")}/details_${modelName.replaceAll("/", "__")}_private`,
    );
  if (process.env.SWEVAL_REHEARSE_LIGHTEVAL_MODE === "hang") {
    console.log("[REHEARSAL] lighteval stand-in: hanging until killed");
    await new Promise(() => setInterval(() => {}, 60_000));
  }
  if (process.env.SWEVAL_REHEARSE_LIGHTEVAL_MODE === "fail") {
    console.error(
      'Traceback (most recent call last):\n  File "lighteval/main_endpoint.py", line 1\nRuntimeError: rehearsal stand-in asked to fail',
    );
    process.exit(1);
  }
  const answers = baseUrl
    ? await ask(baseUrl, modelName.replace(/^(rehearsal\/)?hosted_vllm\//, ""), task, config.model.generation ?? {})
    : ["[REHEARSAL] no endpoint"];
  const started = performance.now() / 1000;
  const now = new Date();
  const dateId = forkDateId(now, now.getMilliseconds() * 1000 + (Number(process.hrtime.bigint() % 1000n) || 0));
  const { metrics, subtasks } = tableTasks(suite, task, fewshot);
  const runs: SubtaskRun[] = subtasks.map((subtask) => {
    const prompts = Array.from({ length: rowsPerSubtask }, (_, i) => `[REHEARSAL] question ${i + 1} of ${subtask}`);
    const samples = Object.fromEntries(metrics.map((metric) => [metric, sampleScores(modelName, subtask, metric, rowsPerSubtask)]));
    return { name: subtask, fewshot, samples, prompts };
  });
  const resultsDir = join(outputDir, "results", modelName, subdir);
  mkdirSync(resultsDir, { recursive: true });
  const { parquetWriteBuffer } = await import("hyparquet-writer");
  const detailsDir = join(outputDir, "details", modelName, subdir, dateId);
  mkdirSync(detailsDir, { recursive: true });
  for (const run of runs) {
    const table = parquetTable(detailsRows(run, { answers, systemPrompt: option("--system-prompt") ?? null }));
    // The schema is built from plain literals; hyparquet-writer's SchemaElement type is the same shape, stricter.
    const buffer = parquetWriteBuffer(table as unknown as Parameters<typeof parquetWriteBuffer>[0]);
    writeFileSync(join(detailsDir, `details_${run.name}|${fewshot}_${dateId}.parquet`), new Uint8Array(buffer));
  }
  const document = forkResults({
    modelName,
    maxSamples,
    generation: config.model.generation ?? {},
    v5: checkoutIsV5(),
    startTime: started,
    endTime: performance.now() / 1000,
    runs,
  });
  writeFileSync(join(resultsDir, `results_${dateId}.json`), pythonJson(document));
  console.log(`[REHEARSAL] wrote ${join(resultsDir, `results_${dateId}.json`)}`);
}

/** V5's fork (vLLM 0.18 in the checkout's lock) adds chat_template_kwargs to the generation parameters. */
function checkoutIsV5(): boolean {
  return lockedVllm([process.cwd(), dirname(process.cwd())])?.startsWith("0.18.") ?? false;
}

/** The task's num_samples in the fork (real-programs.md §2.4): code 10, MT-Bench 5, the V5 N4/N16 variants 4/16. */
export function numSamples(task: string): number {
  const sampled = samplingN(task);
  if (sampled) return sampled;
  if (/humaneval|lcb:codegeneration/.test(task)) return 10;
  if (/mt_bench/.test(task)) return 5;
  return 1;
}

/**
 * One document's request as the fork's LiteLLM client makes it (§2.3-2.4): n = the task's num_samples, or that many
 * n=1 calls when max_n is smaller; max_completion_tokens, stop, temperature, top_p, seed and the penalties only when
 * set; reasoning_effort forwarded. A key GenerationParameters does not have fails as the fork's constructor does.
 */
async function ask(baseUrl: string, model: string, task: string, generation: Record<string, unknown>): Promise<string[]> {
  const known = new Set<string>([...GENERATION_FIELDS, "chat_template_kwargs"]);
  const unknown = Object.keys(generation).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new Error(`TypeError: GenerationParameters.__init__() got an unexpected keyword argument '${unknown[0]}'`);
  const n = numSamples(task);
  const maxN = typeof generation.max_n === "number" ? generation.max_n : null;
  // litellm keeps caching=False to itself; the server sees the OpenAI fields.
  const sent: Record<string, unknown> = { model, messages: [{ role: "user", content: "[REHEARSAL] ping" }] };
  const passed: Array<[string, string]> = [
    ["max_new_tokens", "max_completion_tokens"],
    ["stop_tokens", "stop"],
    ["temperature", "temperature"],
    ["top_p", "top_p"],
    ["seed", "seed"],
    ["repetition_penalty", "repetition_penalty"],
    ["frequency_penalty", "frequency_penalty"],
    ["reasoning_effort", "reasoning_effort"],
  ];
  for (const [field, kwarg] of passed) if (generation[field] !== undefined && generation[field] !== null) sent[kwarg] = generation[field];
  if (generation.chat_template_kwargs) sent.extra_body = { chat_template_kwargs: generation.chat_template_kwargs };
  const calls = maxN !== null && maxN < n ? Array.from({ length: n }, () => 1) : [n];
  const answers: string[] = [];
  for (const count of calls) {
    const response = await fetch(`${baseUrl.replace(/\/$/, "")}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...sent, n: count }),
    });
    if (!response.ok) throw new Error(`litellm.BadRequestError: the endpoint answered HTTP ${response.status}: ${await response.text()}`);
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    answers.push(...body.choices.map((choice) => choice.message.content));
  }
  console.log(`[REHEARSAL] ${calls.length} call(s) with n=${calls[0]} for num_samples ${n}${maxN !== null ? ` (max_n ${maxN})` : ""}`);
  return answers;
}

/** The metric keys the aggregation table reads for this task, and the fork's subtasks of it. */
function tableTasks(suite: string, task: string, fewshot: string) {
  const base = `${suite}|${task}|${fewshot}`;
  // The table of the checkout's release: V5's tasks (N4 variants, jamcqa, …) are only in swallow-v202604.
  const conf = readAggregateConf(checkoutIsV5() ? "swallow-v202604" : undefined);
  const metrics = new Set<string>();
  const fromTable = new Set<string>();
  // The column naming the most metrics (an average over all of a task's) lists them in the fork's own order.
  const widestFirst = [...conf.columns].sort((a, b) => b.metrics.length - a.metrics.length);
  for (const column of widestFirst) {
    const matching = column.tasks.filter((key) => key === base || key.startsWith(`${suite}|${task}:`));
    if (matching.length === 0) continue;
    for (const metric of column.metrics) metrics.add(metric);
    for (const subset of column.whiteList) fromTable.add(subset);
    for (const key of matching) if (key !== base) fromTable.add(key.split("|")[1]?.split(":")[1] ?? "");
  }
  // The N4 / N16 variants report pass@k and maj@k for k = 1, 2, 4, … ≤ n (real-programs.md §3.5), the table reads one.
  const n = samplingN(task);
  if (n) {
    const ks = [1, 2, 4, 8, 16].filter((k) => k <= n);
    metrics.clear();
    for (const kind of ["pass", "maj"]) for (const k of ks) metrics.add(`extractive_match_${kind}@${k}:${n}`);
  }
  if (metrics.size === 0) metrics.add("rehearsal_score");
  const subsets = forkSubsets(task, fromTable);
  return { metrics: [...metrics], subtasks: subsets.length > 0 ? subsets.map((s) => `${suite}|${task}:${s}`) : [`${suite}|${task}`] };
}

main().catch((error) => {
  console.error(`Traceback (most recent call last):\n${error?.stack ?? error}`);
  process.exit(1);
});
