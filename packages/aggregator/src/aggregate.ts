import { join } from "node:path";
import { writeFileAtomic } from "@sweval/core";
import type { ResolvedConf } from "./conf.js";
import { averageInOneTask, MISSING, microAverage, type PyNumber, pick, resolveMultiTaskKey } from "./functions.js";
import { dumpPythonJson, type PyValue, pythonStr } from "./python-json.js";
import { readResults } from "./read-results.js";

export interface CustomSettingsInfo {
  path: string;
  name: string;
  version: string;
}

export interface AggregateOptions {
  /** The litellm model string, e.g. hosted_vllm/<org>/<model>; files of other models are skipped. */
  modelName: string;
  rawResultsDir: string;
  conf: ResolvedConf;
  /** @default all "" */
  customSettings?: Partial<CustomSettingsInfo>;
}

export interface AggregateResult {
  /** Values in column order; PyInt for Python ints (-1 = missing), numbers for floats. */
  results: Map<string, PyNumber>;
  /** The aggregated_results.json text, byte for byte as the legacy script writes it. */
  text: string;
  /** What the legacy script printed per column and file (skips, "No samples found for …"), for stderr. */
  messages: string[];
  filesRead: number;
}

/** Aggregates one model's raw results dir into the legacy aggregated_results.json, without writing it. */
export function aggregate(options: AggregateOptions): AggregateResult {
  const { latest, filesRead, messages } = readResults(options.rawResultsDir, options.modelName);
  const results = new Map<string, PyNumber>();
  for (const column of options.conf.columns) {
    if (column.problem) {
      messages.push(`${column.at.file}:${column.at.line}: column "${column.name}": ${column.problem}; the column is -1`);
      results.set(column.name, MISSING);
      continue;
    }
    try {
      results.set(column.name, computeColumn(column, latest, messages));
    } catch (error) {
      messages.push(`Error processing ${column.name}: ${(error as Error).message}`);
      results.set(column.name, MISSING);
    }
  }
  const custom = { path: "", name: "", version: "", ...options.customSettings };
  const document = new Map<string, PyValue>([
    ["model", options.modelName],
    ["results", results],
    ["overall", [...results.values()].map(pythonStr).join(",")],
    ["tasks", [...results.keys()]],
    ["custom_settings", { path: custom.path, name: custom.name, version: custom.version }],
  ]);
  return { results, text: dumpPythonJson(document), messages, filesRead };
}

/** Aggregates and writes `<outDir>/aggregated_results.json` atomically. Returns the path too. */
export async function aggregateToFile(options: AggregateOptions & { outDir: string }): Promise<AggregateResult & { path: string }> {
  const result = aggregate(options);
  const path = join(options.outDir, "aggregated_results.json");
  await writeFileAtomic(path, result.text);
  return { ...result, path };
}

function computeColumn(column: ResolvedConf["columns"][number], latest: Parameters<typeof pick>[0], messages: string[]): PyNumber {
  switch (column.fn) {
    case "pick":
      return resolveMultiTaskKey(column.tasks, (task) => pick(latest, task, column.metrics[0] as string));
    case "micro_average":
      return resolveMultiTaskKey(column.tasks, (task) =>
        microAverage(latest, task, column.metrics[0] as string, column.whiteList, messages),
      );
    default:
      return resolveMultiTaskKey(column.tasks, (task) => averageInOneTask(latest, task, column.metrics));
  }
}
