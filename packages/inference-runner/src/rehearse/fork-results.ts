// The results JSON the Swallow lighteval fork writes (real-programs.md §3.1-3.4), built from the rows a rehearsal
// evaluates. Pure functions, so the shape is tested without a server. Scores are plausible and deterministic: a
// seeded draw per model × subtask × document, so tables and diffs show something a person can read, and the same
// rehearsal gives the same numbers.
import { createHash } from "node:crypto";
import { pythonFloatRepr } from "@sweval/core";
import { Double, double } from "./arrow-rows.js";
import { xxh64Hex } from "./xxh64.js";

/** V4's 17 GenerationParameters fields in the fork's order; V5 inserts chat_template_kwargs after reasoning_effort. */
export const GENERATION_FIELDS = [
  "early_stopping",
  "max_n",
  "repetition_penalty",
  "frequency_penalty",
  "length_penalty",
  "presence_penalty",
  "max_new_tokens",
  "min_new_tokens",
  "seed",
  "stop_tokens",
  "temperature",
  "top_k",
  "min_p",
  "top_p",
  "truncate_prompt",
  "reasoning_effort",
  "response_format",
] as const;

/** Subsets the fork's task defines where the aggregation white lists say otherwise (legacy-workflow.md §10, JMMLU). */
const FORK_SUBSETS: Record<string, { drop: string[]; add: string[] }> = {
  swallow_jmmlu: {
    drop: [
      "high_school_government_and_politics",
      "high_school_us_history",
      "high_school_world_history",
      "moral_scenarios",
      "professional_law",
      "us_foreign_policy",
    ],
    add: ["japanese_history", "world_history"],
  },
};

/** Tasks whose version is 1 in the fork (the rest are 0). */
const VERSION_ONE = new Set(["aime", "math_500"]);

/** The fork's subtasks of a task, from the aggregation table's white lists corrected by the fork's own task table. */
export function forkSubsets(task: string, fromTable: Iterable<string>): string[] {
  const fix = FORK_SUBSETS[task];
  const subsets = new Set([...fromTable].filter((subset) => !fix?.drop.includes(subset)));
  for (const subset of fix?.add ?? []) subsets.add(subset);
  if (task === "aime") for (const subset of ["24", "25"]) subsets.add(subset);
  return [...subsets];
}

/**
 * The job's local time, ISO without a zone, `:` as `-`, microseconds; the fraction left out when it is 0, as
 * Python's isoformat does (§3.1).
 */
export function forkDateId(now: Date, microsecond: number): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T${pad(now.getHours())}-${pad(now.getMinutes())}-${pad(now.getSeconds())}`;
  return microsecond === 0 ? stamp : `${stamp}.${pad(microsecond, 6)}`;
}

/** A deterministic draw in [0, 1) from the given parts. */
export function draw(...parts: string[]): number {
  return createHash("sha256").update(parts.join("\u0000")).digest().readUInt32BE(0) / 2 ** 32;
}

/** One subtask's sample-level scores: each document passes with a probability the model × subtask draw sets. */
export function sampleScores(model: string, subtask: string, metric: string, rows: number): number[] {
  // A skill between 0.25 and 0.9 per model and subtask, so models and tasks differ and nothing reads 0.5 everywhere.
  const skill = 0.25 + 0.65 * draw(model, subtask);
  return Array.from({ length: rows }, (_, row) => (draw(model, subtask, metric, String(row)) < skill ? 1 : 0));
}

export interface SubtaskRun {
  /** `suite|task[:subset]` */
  name: string;
  fewshot: string;
  /** metric → the per-document values, in row order. */
  samples: Record<string, number[]>;
  /** The prompt texts of the rows, for the summary hashes. */
  prompts: string[];
}

export interface ForkResultsInput {
  modelName: string;
  maxSamples: number | null;
  generation: Record<string, unknown>;
  v5: boolean;
  startTime: number;
  endTime: number;
  runs: SubtaskRun[];
}

/** The whole results document, keys in the fork's order. */
export function forkResults(input: ForkResultsInput) {
  return {
    config_general: configGeneral(input),
    results: Object.fromEntries(Object.entries(resultsSection(input.runs)).map(([key, row]) => [key, asFloats(row)])),
    versions: Object.fromEntries(input.runs.map((run) => [`${run.name}|${run.fewshot}`, VERSION_ONE.has(taskOf(run.name)) ? 1 : 0])),
    config_tasks: Object.fromEntries(input.runs.map((run) => [run.name, configTask(run)])),
    summary_tasks: Object.fromEntries(input.runs.map((run) => [`${run.name}|${run.fewshot}`, summaryTask(run)])),
    summary_general: summaryGeneral(input.runs),
  };
}

/**
 * The text json.dumps(indent=2, ensure_ascii=False) writes: JSON.stringify's layout, floats as Python writes them
 * (`1.0`, `1e-07`, bare `NaN`), where JavaScript would write `1`.
 */
export function pythonJson(value: unknown): string {
  const token = (n: number) =>
    Number.isNaN(n)
      ? "NaN"
      : n === Number.POSITIVE_INFINITY
        ? "Infinity"
        : n === Number.NEGATIVE_INFINITY
          ? "-Infinity"
          : pythonFloatRepr(n);
  const text = JSON.stringify(value, (_key, v) => (v instanceof Double ? `\u0000F${token(v.value)}` : v), 2);
  return text.replace(/"\\u0000F([^"]*)"/g, "$1");
}

// --- internal ---

/** GenerationParameters fields typed float in the fork. */
const FLOAT_FIELDS = new Set([
  "repetition_penalty",
  "frequency_penalty",
  "length_penalty",
  "presence_penalty",
  "temperature",
  "top_p",
  "min_p",
]);

function asFloats(row: Record<string, number>): Record<string, Double> {
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, double(value)]));
}

function taskOf(name: string): string {
  return (name.split("|")[1] ?? "").split(":")[0] ?? "";
}

function configGeneral(input: ForkResultsInput) {
  const fields: string[] = [...GENERATION_FIELDS];
  if (input.v5) fields.splice(fields.indexOf("reasoning_effort") + 1, 0, "chat_template_kwargs");
  return {
    lighteval_sha: "?",
    num_fewshot_seeds: 1,
    override_batch_size: -1,
    max_samples: input.maxSamples,
    job_id: 0,
    start_time: double(input.startTime),
    end_time: double(input.endTime),
    total_evaluation_time_secondes: String(input.endTime - input.startTime),
    model_name: input.modelName,
    model_sha: "",
    model_dtype: null,
    model_size: "",
    generation_parameters: Object.fromEntries(
      fields.map((field) => {
        const value = input.generation[field] ?? null;
        // YAML's 0.0 arrives as 0; the fork's fields of type float keep their decimal point.
        return [field, typeof value === "number" && FLOAT_FIELDS.has(field) ? double(value) : value];
      }),
    ),
  };
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

/** The standard error of the mean (numpy's std with ddof=1 over sqrt(n)), as the fork's stderr for mean metrics. */
function standardError(values: number[]): number {
  const m = mean(values);
  const variance = values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (values.length - 1);
  return Math.sqrt(variance / values.length);
}

/** Corpus metrics the fork aggregates with something other than a mean (BLEU, the judge averages, the Japanese ratio). */
const BOOTSTRAPPED = /bleu|chrf|ter$|judge_score|japanese_ratio/;

/**
 * The fork's stderr for a metric not aggregated by a mean: the spread of 1000 bootstrap resamples (real-programs.md
 * §3.4), drawn from a seeded generator so a rehearsal gives the same number twice.
 */
export function bootstrapError(values: number[], seed: string): number {
  let state = Math.floor(draw(seed) * 2 ** 31) || 1;
  const next = () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
  const means = Array.from({ length: 1000 }, () => mean(Array.from(values, () => values[Math.floor(next() * values.length)] ?? 0)));
  const m = mean(means);
  return Math.sqrt(means.reduce((sum, v) => sum + (v - m) ** 2, 0) / (means.length - 1));
}

/** Subtask rows (`_stderr` after each metric when more than one document), `:_average` per shared prefix, then `all`. */
function resultsSection(runs: SubtaskRun[]) {
  const results: Record<string, Record<string, number>> = {};
  const rows: Record<string, number>[] = [];
  for (const run of runs) {
    const row: Record<string, number> = {};
    for (const [metric, values] of Object.entries(run.samples)) {
      row[metric] = mean(values);
      if (values.length > 1)
        row[`${metric}_stderr`] = BOOTSTRAPPED.test(metric) ? bootstrapError(values, `${run.name}|${metric}`) : standardError(values);
    }
    results[`${run.name}|${run.fewshot}`] = row;
    rows.push(row);
  }
  const byPrefix = new Map<string, SubtaskRun[]>();
  for (const run of runs) {
    if (!run.name.includes(":")) continue;
    const prefix = run.name.slice(0, run.name.indexOf(":"));
    byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), run]);
  }
  for (const [prefix, group] of byPrefix) {
    if (group.length < 2) continue;
    const first = results[`${group[0]?.name}|${group[0]?.fewshot}`] ?? {};
    const members = group.map((run) => results[`${run.name}|${run.fewshot}`] ?? {});
    results[`${prefix}:_average|${group[0]?.fewshot}`] = Object.fromEntries(
      Object.keys(first).map((key) => [key, mean(members.map((member) => member[key] ?? 0))]),
    );
  }
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  results.all = Object.fromEntries(keys.map((key) => [key, mean(rows.filter((row) => key in row).map((row) => row[key] ?? 0))]));
  return results;
}

function configTask(run: SubtaskRun) {
  const name = run.name.split("|")[1] ?? run.name;
  const [suite = "swallow"] = run.name.split("|");
  const rows = Object.values(run.samples)[0]?.length ?? run.prompts.length;
  return {
    name,
    prompt_function: "rehearsal_prompt_fn",
    hf_repo: "rehearsal/none",
    hf_subset: name.includes(":") ? (name.split(":")[1] ?? "default") : "default",
    metric: Object.keys(run.samples).map((metric) => ({
      metric_name: metric,
      higher_is_better: true,
      category: "GENERATIVE",
      use_case: "ACCURACY",
      sample_level_fn: "sample_level_fn",
      corpus_level_fn: "mean",
    })),
    hf_revision: null,
    hf_filter: null,
    hf_avail_splits: ["test"],
    trust_dataset: false,
    evaluation_splits: ["test"],
    few_shots_split: null,
    few_shots_select: null,
    generation_size: null,
    generation_grammar: null,
    stop_sequence: [],
    num_samples: null,
    suite: [suite],
    original_num_docs: rows,
    effective_num_docs: rows,
    must_remove_duplicate_docs: false,
    version: VERSION_ONE.has(taskOf(run.name)) ? 1 : 0,
  };
}

/** The fork's summary hash: xxh64 of each row's text, sorted, then xxh64 of them joined. */
function digest(items: string[]): string {
  return xxh64Hex(items.map(xxh64Hex).sort().join(""));
}

/** Python's `repr` of a str, which `str(full_prompt)` writes for each message's values. */
export function pythonRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const escaped = text.replace(/[\\\n\r\t]|[\u0000-\u001f\u007f]/g, (char) => {
    const named: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };
    return named[char] ?? `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
  return `${quote}${quote === "'" ? escaped.replaceAll("'", "\\'") : escaped}${quote}`;
}

function hashes(prompts: string[]) {
  return {
    hash_examples: digest(prompts),
    hash_full_prompts: digest(prompts.map((prompt) => `[{'role': 'user', 'content': ${pythonRepr(prompt)}}]`)),
    hash_input_tokens: digest(prompts.map(() => "[[]]")),
    hash_cont_tokens: digest(prompts.map(() => "[[]]")),
  };
}

function summaryTask(run: SubtaskRun) {
  const rows = run.prompts.length;
  return {
    hashes: hashes(run.prompts),
    truncated: 0,
    non_truncated: rows,
    padded: 0,
    non_padded: rows,
    effective_few_shots: double(0),
    num_truncated_few_shots: 0,
  };
}

function summaryGeneral(runs: SubtaskRun[]) {
  const rows = runs.reduce((sum, run) => sum + run.prompts.length, 0);
  return {
    hashes: hashes(runs.flatMap((run) => run.prompts)),
    truncated: 0,
    non_truncated: rows,
    padded: 0,
    non_padded: rows,
    num_truncated_few_shots: 0,
  };
}
