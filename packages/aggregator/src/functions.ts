import { PyInt, type PyValue } from "./python-json.js";
import type { ResultEntry } from "./read-results.js";

/** A column value: a Python int (PyInt) or float (number). -1 (int) means missing. */
export type PyNumber = number | PyInt;

export const MISSING = new PyInt(-1);

type Latest = Map<string, ResultEntry>;

/** pick: the metric of the entry whose task key equals the target, -1 when there is none. */
export function pick(latest: Latest, taskKey: string, metric: string): PyNumber {
  for (const entry of latest.values()) {
    if (entry.taskKey === taskKey) return entry.metrics[metric] === undefined ? MISSING : asNumber(entry.metrics[metric], metric);
  }
  return MISSING;
}

/**
 * micro_average: Σ(effective_num_docs × metric) / Σ(effective_num_docs) over the target's subsets (only those
 * in the white list, when one is given), summed in the same order as the legacy script. -1 with no samples.
 */
export function microAverage(latest: Latest, taskKey: string, metric: string, whiteList: string[], messages: string[]): PyNumber {
  let total = 0;
  let count = 0;
  for (const entry of latest.values()) {
    if (entry.baseKey !== taskKey) continue;
    if (whiteList.length > 0 && !whiteList.includes(entry.subset)) continue;
    const value = entry.metrics[metric];
    if (value === undefined) {
      messages.push(`No ${metric} in ${entry.taskKey} (${entry.file}); skipped`);
      continue;
    }
    total += entry.sampleNum * Number(asNumber(value, metric));
    count += entry.sampleNum;
  }
  if (count === 0) {
    messages.push(`No samples found for ${taskKey}`);
    return MISSING;
  }
  return total / count;
}

/** average_in_one_task: the plain mean of several metrics of one entry; every metric must exist. */
export function averageInOneTask(latest: Latest, taskKey: string, metrics: string[]): PyNumber {
  for (const entry of latest.values()) {
    if (entry.taskKey !== taskKey) continue;
    let sum = 0;
    for (const metric of metrics) {
      const value = entry.metrics[metric];
      if (value === undefined) throw new Error(`${metric} missing in ${entry.taskKey}`);
      sum += Number(asNumber(value, metric));
    }
    return sum / metrics.length;
  }
  return MISSING;
}

/** Tries each of several task keys: none found → -1, one → its value, several → an error (the column becomes -1). */
export function resolveMultiTaskKey(taskKeys: string[], compute: (taskKey: string) => PyNumber): PyNumber {
  if (taskKeys.length === 1) return compute(taskKeys[0] as string);
  const found = taskKeys.map(compute).filter((value) => Number(value) !== -1);
  if (found.length === 0) return MISSING;
  if (found.length === 1) return found[0] as PyNumber;
  throw new Error(`found in ${found.length} of ${taskKeys.join(", ")}`);
}

function asNumber(value: PyValue, metric: string): PyNumber {
  if (value instanceof PyInt || typeof value === "number") return value;
  throw new Error(`${metric} is ${JSON.stringify(value)}, not a number`);
}
