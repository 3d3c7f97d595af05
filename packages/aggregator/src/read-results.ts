import { opendirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PyInt, type PyValue, parsePythonJson } from "./python-json.js";
import type { LightevalResults } from "./schema.js";

/** One `task:subset` result, the newest among the files. */
export interface ResultEntry {
  /** `suite|task[:subset]|fewshot` as in the file. */
  taskKey: string;
  /** `suite|task|fewshot`, the subset removed: what micro_average matches. */
  baseKey: string;
  subset: string;
  metrics: Record<string, PyValue>;
  /** config_tasks[...].effective_num_docs, or -1. */
  sampleNum: number;
  /** Normalised timestamp of the file name; the newest wins. */
  timestamp: string;
  file: string;
}

export interface ReadResultsResult {
  /** Keyed by `task:subset`, in the order Python's dict would hold them. */
  latest: Map<string, ResultEntry>;
  filesRead: number;
  messages: string[];
}

const FILE_NAME = /^results_(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})\.(\d{1,6})\.json$/;

/**
 * Reads the non-recursive `results_*.json` of one directory like the legacy script: files are visited in
 * directory order (what Python's glob sees, so sums add up in the same order), names must parse as
 * lighteval's timestamp, other models' files are skipped, `all` and `:_average` are ignored, and the newest
 * file wins per `task:subset`. An unreadable file is reported and skipped, never fatal.
 */
export function readResults(dir: string, modelName: string): ReadResultsResult {
  const latest = new Map<string, ResultEntry>();
  const messages: string[] = [];
  let filesRead = 0;
  for (const name of listDirInOrder(dir, messages)) {
    if (!name.endsWith(".json") || name.startsWith(".")) continue;
    const timestamp = parseTimestamp(name);
    if (!timestamp) {
      messages.push(`Skip ${name}: not a results_<%Y-%m-%dT%H-%M-%S.%f>.json file`);
      continue;
    }
    const file = join(dir, name);
    const data = readResultsFile(file, messages);
    if (!data || data.config_general.model_name !== modelName) continue;
    filesRead++;
    if (!data.config_tasks) messages.push(`${file}: no config_tasks; sample counts are -1 for its tasks`);
    for (const [taskKey, metrics] of Object.entries(data.results)) {
      const parts = taskKey.split("|");
      if (parts.length < 2) continue;
      const [suite = "", taskSubset = "", fewshot = ""] = parts;
      const colon = taskSubset.indexOf(":");
      const task = colon < 0 ? taskSubset : taskSubset.slice(0, colon);
      const subset = colon < 0 ? "" : taskSubset.slice(colon + 1);
      if (subset === "_average") continue;
      const key = `${task}:${subset}`;
      const previous = latest.get(key);
      if (previous && previous.timestamp >= timestamp) continue;
      latest.set(key, {
        taskKey,
        baseKey: `${suite}|${task}|${fewshot}`,
        subset,
        metrics: metrics as Record<string, PyValue>,
        sampleNum: sampleNumOf(data.config_tasks?.[`${suite}|${taskSubset}`]),
        timestamp,
        file,
      });
    }
  }
  return { latest, filesRead, messages };
}

/** `results_2025-08-18T12-34-56.789012.json` → a sortable timestamp string, or null. */
export function parseTimestamp(name: string): string | null {
  const match = FILE_NAME.exec(name);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, fraction = ""] = match;
  const valid =
    Number(mo) >= 1 && Number(mo) <= 12 && Number(d) >= 1 && Number(d) <= 31 && Number(h) <= 23 && Number(mi) <= 59 && Number(s) <= 61;
  return valid ? `${y}-${mo}-${d}T${h}:${mi}:${s}.${fraction.padEnd(6, "0")}` : null;
}

// --- internal ---

/** readdir order, unsorted: fs.readdirSync sorts, Python's glob does not. */
function listDirInOrder(dir: string, messages: string[]): string[] {
  const names: string[] = [];
  try {
    const handle = opendirSync(dir);
    try {
      for (let entry = handle.readSync(); entry; entry = handle.readSync())
        if (entry.isFile() || entry.isSymbolicLink()) names.push(entry.name);
    } finally {
      handle.closeSync();
    }
  } catch (error) {
    messages.push(`${dir}: cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  return names;
}

function readResultsFile(file: string, messages: string[]) {
  let raw: PyValue;
  try {
    raw = parsePythonJson(readFileSync(file, "utf8"));
  } catch (error) {
    messages.push(`${file}: unreadable JSON (${(error as Error).message}); skipped`);
    return null;
  }
  const problem = resultsShapeProblem(raw);
  if (problem) {
    messages.push(`${file}: not a lighteval results file (${problem}); skipped`);
    return null;
  }
  return raw as unknown as LightevalResults;
}

/**
 * The checks of LightevalResultsSchema, by hand: this runs once per file in every job, and loading zod
 * would cost more than the whole aggregation.
 */
export function resultsShapeProblem(raw: PyValue): string | null {
  const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof PyInt);
  if (!isObject(raw)) return "not a JSON object";
  if (!isObject(raw.config_general) || typeof raw.config_general.model_name !== "string")
    return "config_general.model_name: expected a string";
  if (!isObject(raw.results)) return "results: expected an object";
  for (const [key, metrics] of Object.entries(raw.results)) if (!isObject(metrics)) return `results.${key}: expected an object`;
  if (raw.config_tasks !== undefined && !isObject(raw.config_tasks)) return "config_tasks: expected an object";
  return null;
}

function sampleNumOf(config: { effective_num_docs?: unknown } | null | undefined): number {
  const value = config?.effective_num_docs;
  if (value instanceof PyInt) return value.value;
  return typeof value === "number" ? value : -1;
}
