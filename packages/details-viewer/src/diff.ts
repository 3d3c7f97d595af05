import { InputError } from "@sweval/core";
import { mcnemarExact } from "./mcnemar.js";
import { openDetails } from "./open-details.js";
import { listDetails } from "./query.js";
import { readRows } from "./read-details.js";
import { promptText, type Sample, score, toSample } from "./sample.js";
import type { TaskDiff } from "./schema.js";

export interface DiffResult {
  a: string;
  b: string;
  metric: string | null;
  paired: number;
  pairedBy: "prompt" | "index";
  bothRight: number;
  bothWrong: number;
  /** right in A, wrong in B */
  rightToWrong: Array<{ a: Sample; b: Sample }>;
  wrongToRight: Array<{ a: Sample; b: Sample }>;
  /** Exact two-sided McNemar test on the discordant pairs. */
  pValue: number;
}

/**
 * Pairs the samples of two runs of one task (by prompt when both have the same prompts, else by index) and
 * lists the flips, with an exact McNemar p-value: is B really better or worse than A on this task?
 */
export async function diffRuns(pathA: string, pathB: string, options: { metric?: string } = {}): Promise<DiffResult> {
  const [a, b] = await Promise.all([loadAll(pathA), loadAll(pathB)]);
  const byPrompt = new Map(b.map((sample) => [promptText(sample), sample]));
  const pairedByPrompt = a.every((sample) => byPrompt.has(promptText(sample)));
  const pairs = a
    .map((sample) => [sample, pairedByPrompt ? byPrompt.get(promptText(sample)) : b[sample.index]] as const)
    .filter((p): p is readonly [Sample, Sample] => Boolean(p[1]));
  const metric = options.metric ?? Object.keys(a[0]?.metrics ?? {}).find((k) => typeof a[0]?.metrics[k] === "number") ?? null;
  const result: DiffResult = {
    a: pathA,
    b: pathB,
    metric,
    paired: pairs.length,
    pairedBy: pairedByPrompt ? "prompt" : "index",
    bothRight: 0,
    bothWrong: 0,
    rightToWrong: [],
    wrongToRight: [],
    pValue: 1,
  };
  for (const [x, y] of pairs) {
    const rightA = (score(x, metric ?? undefined) ?? 0) > 0;
    const rightB = (score(y, metric ?? undefined) ?? 0) > 0;
    if (rightA && rightB) result.bothRight++;
    else if (!rightA && !rightB) result.bothWrong++;
    else if (rightA) result.rightToWrong.push({ a: x, b: y });
    else result.wrongToRight.push({ a: x, b: y });
  }
  result.pValue = mcnemarExact(result.rightToWrong.length, result.wrongToRight.length);
  return result;
}

async function loadAll(path: string): Promise<Sample[]> {
  const details = await openDetails(path);
  const rows = await readRows(details);
  return rows.map((row, index) => toSample(row, details.layout, index));
}

/**
 * Every task two run dirs share (the newest details file of each task on each side; `task` narrows by
 * substring), diffed as `diffRuns` does.
 */
export async function diffRunDirs(
  dirA: string,
  dirB: string,
  options: { task?: string; metric?: string } = {},
): Promise<Array<DiffResult & { task: string }>> {
  const readable = async (dir: string) => {
    const newest = new Map<string, string>();
    for (const entry of await listDetails(dir)) {
      if (entry.layout === "results" || entry.layout === "unreadable") continue;
      if (options.task && !entry.task.includes(options.task)) continue;
      if (!newest.has(entry.task)) newest.set(entry.task, entry.path);
    }
    return newest;
  };
  const [a, b] = await Promise.all([readable(dirA), readable(dirB)]);
  const shared = [...a.keys()].filter((task) => b.has(task)).sort();
  if (shared.length === 0)
    throw new InputError(`no task${options.task ? ` matching "${options.task}"` : ""} has details in both runs`, {
      code: "E_NO_DETAILS",
      file: dirB,
      hint: `tasks in A: ${[...a.keys()].join(", ") || "none"}; in B: ${[...b.keys()].join(", ") || "none"}`,
    });
  const results: Array<DiffResult & { task: string }> = [];
  for (const task of shared) results.push({ task, ...(await diffRuns(a.get(task) as string, b.get(task) as string, options)) });
  return results;
}

/** A diff as the `diff --json` document carries it: flips as sample indexes. */
export function taskDiff(task: string, result: DiffResult): TaskDiff {
  return {
    task,
    a: result.a,
    b: result.b,
    metric: result.metric,
    paired: result.paired,
    pairedBy: result.pairedBy,
    bothRight: result.bothRight,
    bothWrong: result.bothWrong,
    rightToWrong: result.rightToWrong.map((pair) => pair.a.index),
    wrongToRight: result.wrongToRight.map((pair) => pair.a.index),
    pValue: result.pValue,
  };
}
