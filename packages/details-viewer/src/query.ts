import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";
import { InputError } from "@sweval/core";
import { openDetails } from "./open-details.js";
import { type DetailsFile, groupsOverlapping, openGroup, readRows } from "./read-details.js";
import { promptText, type Sample, score, toSample } from "./sample.js";

export interface Filter {
  /** e.g. `extractive_match<1`, `acc==0`. */
  where?: string | null;
  /** Regular expression over prompt, predictions and gold. */
  grep?: string | null;
  /** Only samples whose score is 0 (wrong). */
  onlyWrong?: boolean;
}

/** `metric<1` → a predicate over a sample's metrics. */
export function parseWhere(expression: string): (sample: Sample) => boolean {
  const match = /^\s*([\w.@:-]+)\s*(<=|>=|==|!=|<|>|=)\s*(-?[\d.]+(?:e-?\d+)?)\s*$/.exec(expression);
  if (!match)
    throw new InputError(`cannot read --where "${expression}": expected <metric><op><number>, e.g. extractive_match<1`, {
      code: "E_USAGE",
      field: "--where",
    });
  const [, name = "", op, raw] = match;
  const limit = Number(raw);
  return (sample) => {
    const value = sample.metrics[name];
    if (typeof value !== "number" && typeof value !== "boolean") return false;
    const v = Number(value);
    return op === "<"
      ? v < limit
      : op === "<="
        ? v <= limit
        : op === ">"
          ? v > limit
          : op === ">="
            ? v >= limit
            : op === "!="
              ? v !== limit
              : v === limit;
  };
}

export interface PageResult {
  samples: Sample[];
  /** Rows scanned to fill the page (filters skip rows). */
  scanned: number;
  total: number;
  /** Where to continue for the next page, or null at the end. */
  next: number | null;
}

/** A `--grep` / search text as a case-insensitive regex; one that does not compile is bad input, not a crash. */
export function searchPattern(text: string): RegExp {
  try {
    return new RegExp(text, "i");
  } catch (error) {
    throw new InputError(`cannot read the search "${text.slice(0, 100)}" as a regular expression: ${(error as Error).message}`, {
      code: "E_USAGE",
      field: "--grep",
    });
  }
}

/**
 * A page of samples from `start`, filtered, never reading a whole file: `limit` samples from `iterateSamples`, or
 * for an unfiltered page one range read.
 */
export async function readPage(path: string, options: Filter & { start?: number; limit?: number } = {}): Promise<PageResult> {
  const details = await openDetails(path);
  const limit = options.limit ?? 50;
  const start = options.start ?? 0;
  if (!options.where && !options.grep && !options.onlyWrong) {
    const rows = await readRows(details, { start, end: start + limit });
    const next = start + rows.length;
    return {
      samples: rows.map((row, i) => toSample(row, details.layout, start + i)),
      scanned: rows.length,
      total: details.numRows,
      next: next < details.numRows ? next : null,
    };
  }
  const samples: Sample[] = [];
  for await (const sample of iterateSamples(details, options)) {
    samples.push(sample);
    if (samples.length === limit) {
      const next = sample.index + 1;
      return { samples, scanned: next - start, total: details.numRows, next: next < details.numRows ? next : null };
    }
  }
  return { samples, scanned: details.numRows - start, total: details.numRows, next: null };
}

/**
 * The samples from `start` on that pass the filter, in order, each page decoded once. A metric filter first reads
 * only the metrics column (cheap) to find the matching rows; the rows are then read forward through each row group,
 * in runs of consecutive rows, so a text search or a sparse filter skips what lies between matches without turning
 * it into strings.
 */
export async function* iterateSamples(details: DetailsFile, options: Filter & { start?: number } = {}): AsyncGenerator<Sample> {
  const where = options.where ? parseWhere(options.where) : null;
  const grep = options.grep ? searchPattern(options.grep) : null;
  const metricColumn = details.layout === "new" ? "metric" : "metrics";
  const byMetrics = Boolean(where || options.onlyWrong) && details.columns.includes(metricColumn);
  const keep = (sample: Sample) => (!where || where(sample)) && (!options.onlyWrong || score(sample) === 0);
  const start = options.start ?? 0;
  for (const group of groupsOverlapping(details, start, details.numRows)) {
    const from = Math.max(start, group.start);
    let candidates = Array.from({ length: group.end - from }, (_, i) => from + i);
    if (byMetrics) {
      const metrics = await readRows(details, { start: from, end: group.end, columns: [metricColumn] });
      candidates = candidates.filter((index, i) => keep(toSample(metrics[i] ?? {}, details.layout, index)));
    }
    const reader = openGroup(details, group.index);
    for (const [a, b] of runs(candidates, RUN)) {
      const rows = await reader.read(a - group.start, b - group.start);
      for (let i = 0; i < rows.length; i++) {
        const sample = toSample(rows[i] ?? {}, details.layout, a + i);
        if (grep && !grep.test(`${promptText(sample)}\n${JSON.stringify(sample.predictions)}\n${JSON.stringify(sample.gold)}`)) continue;
        if (!byMetrics && !keep(sample)) continue;
        yield sample;
      }
    }
  }
}

/** Rows read at a time while filtering: small enough that the strings of a run die young. */
const RUN = 256;

/** Sorted indexes → [start, end) runs of consecutive indexes, each at most `most` long. */
function runs(indexes: number[], most: number): Array<[number, number]> {
  const result: Array<[number, number]> = [];
  for (const index of indexes) {
    const last = result[result.length - 1];
    if (last && last[1] === index && last[1] - last[0] < most) last[1] = index + 1;
    else result.push([index, index + 1]);
  }
  return result;
}

export interface DetailsEntry {
  model: string;
  dateId: string;
  /** `suite|task[:subset]|fewshot`, as in the file name and in the results file's keys. */
  task: string;
  /** The details parquet file, or the results JSON for a task whose details were not saved. */
  path: string;
  rows: number;
  /** A details layout, `results` (scores only, no details file), or `unreadable`. */
  layout: string;
  /** The task's scores from lighteval's results file of the same run, where there is one (`_stderr` left out). */
  scores?: Record<string, number>;
}

/**
 * Every details file under a dir — lighteval's `details/<model>/<date_id>/` layout, a results dir
 * (`results/<model>/results_<date_id>.json`), the outputs dir holding both, or any tree — newest run first. A task's
 * scores from the results file of the same run (same date id) are joined to its details; a task with scores but no
 * details file is listed from the results file.
 */
export async function listDetails(root: string): Promise<DetailsEntry[]> {
  if (!existsSync(root)) throw new InputError("no such directory", { code: "E_INPUT_FILE", file: root });
  const parquets: string[] = [];
  const results: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/^details_.*\.parquet$/.test(name)) parquets.push(path);
      else if (RESULTS_FILE.test(name)) results.push(path);
    }
  };
  if (statSync(root).isDirectory()) walk(root);
  else if (RESULTS_FILE.test(basename(root))) results.push(root);
  else parquets.push(root);
  if (parquets.length === 0 && results.length === 0)
    throw new InputError("no details_*.parquet or results_*.json files here", {
      code: "E_NO_DETAILS",
      file: root,
      hint: "point at lighteval/outputs, its details or results dir, or one run's directory",
    });
  const entries: DetailsEntry[] = [];
  for (const path of parquets) {
    const name = basename(path);
    const match = DETAILS_FILE.exec(name);
    let rows = -1;
    let layout = "unreadable";
    try {
      const details = await openDetails(path);
      rows = details.numRows;
      layout = details.layout;
    } catch {
      // Listed as unreadable; `show` says why.
    }
    const runDir = dirname(path);
    const model = modelOf(root, dirname(runDir), "details") || basename(dirname(runDir));
    entries.push({ model, dateId: match?.[2] ?? basename(runDir), task: match?.[1] ?? name, path, rows, layout });
  }
  for (const path of results) joinResults(root, path, entries);
  return entries.sort((a, b) => b.dateId.localeCompare(a.dateId) || a.task.localeCompare(b.task));
}

/** An entry with a details file that can be read (not a results-only task, not an unreadable file). */
export function hasDetails(entry: DetailsEntry): boolean {
  return entry.layout !== "results" && entry.layout !== "unreadable";
}

const DETAILS_FILE = /^details_(.+)_(\d{4}-\d{2}-\d{2}T[\d-]+(?:\.\d+)?)(?:\.[a-z]+)?\.parquet$/;

/** The `suite|task|fewshot` of a details file name, or the name itself. */
export function taskOf(path: string): string {
  return DETAILS_FILE.exec(basename(path))?.[1] ?? basename(path);
}

const RESULTS_FILE = /^results_(\d{4}-\d{2}-\d{2}T[\d-]+(?:\.\d+)?)\.json$/;

/** The model part of a path under root, without the `details/` or `results/` dir of lighteval's outputs. */
function modelOf(root: string, dir: string, kind: "details" | "results"): string {
  const path = relative(root, dir).split(sep).join("/");
  return path === kind ? "" : path.startsWith(`${kind}/`) ? path.slice(kind.length + 1) : path;
}

/**
 * The fork's results JSON, which Python's json.dumps writes with bare NaN / Infinity tokens for a metric whose
 * aggregation overflowed: those become numbers (NaN shows as NaN) instead of making the whole file unreadable. Only a
 * token in a value position is read so; one inside a string stays text.
 */
export function parseResultsJson(text: string): unknown {
  // The marker is the JSON escape \u0000, which no results text starts a string with.
  const marked = text.replace(/([:[,]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g, '$1"\\u0000$2"');
  return JSON.parse(marked, (_key, value) => (typeof value === "string" && value.startsWith("\u0000") ? Number(value.slice(1)) : value));
}

/** Adds a results file's per-task scores to the entries of the same run, or new entries for tasks without details. */
function joinResults(root: string, path: string, entries: DetailsEntry[]): void {
  const dateId = RESULTS_FILE.exec(basename(path))?.[1] ?? "";
  let document: { results?: Record<string, Record<string, unknown>>; config_tasks?: Record<string, { effective_num_docs?: number }> };
  try {
    document = parseResultsJson(readFileSync(path, "utf8")) as typeof document;
  } catch {
    entries.push({ model: modelOf(root, dirname(path), "results"), dateId, task: basename(path), path, rows: -1, layout: "unreadable" });
    return;
  }
  for (const [task, values] of Object.entries(document.results ?? {})) {
    // "all" and "…:_average|…" are lighteval's own means over the tasks listed anyway.
    if (task === "all" || task.includes(":_average|")) continue;
    const scores = Object.fromEntries(
      Object.entries(values ?? {}).filter((pair): pair is [string, number] => typeof pair[1] === "number" && !pair[0].endsWith("_stderr")),
    );
    const existing = entries.find((entry) => entry.dateId === dateId && entry.task === task && entry.layout !== "results");
    if (existing) {
      existing.scores = scores;
      continue;
    }
    const rows = document.config_tasks?.[task.replace(/\|[^|]*$/, "")]?.effective_num_docs;
    entries.push({
      model: modelOf(root, dirname(path), "results"),
      dateId,
      task,
      path,
      rows: typeof rows === "number" ? rows : -1,
      layout: "results",
      scores,
    });
  }
}
