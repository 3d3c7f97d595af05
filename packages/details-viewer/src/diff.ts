import { InputError } from "@sweval/core";
import { mcnemarExact } from "./mcnemar.js";
import { openDetails } from "./open-details.js";
import { hasDetails, listDetails } from "./query.js";
import { type DetailsFile, groupsOverlapping, openGroup, scanRows } from "./read-details.js";
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
 * lists the flips, with an exact McNemar p-value: is B really better or worse than A on this task? Only the prompt
 * and metric columns are scanned (prompts kept as hashes); whole samples are read for the flips alone, so two
 * 300 MB files diff in the memory of their flips.
 */
export async function diffRuns(pathA: string, pathB: string, options: { metric?: string } = {}): Promise<DiffResult> {
  const [a, b] = await Promise.all([scanKeys(pathA), scanKeys(pathB)]);
  const byPrompt = new Map(b.keys.map((key) => [key.prompt, key]));
  const pairedByPrompt = a.keys.every((key) => byPrompt.has(key.prompt));
  const pairs = a.keys
    .map((key) => [key, pairedByPrompt ? byPrompt.get(key.prompt) : b.keys[key.index]] as const)
    .filter((pair): pair is readonly [Key, Key] => Boolean(pair[1]));
  const first = a.keys[0]?.metrics ?? {};
  const metric = options.metric ?? Object.keys(first).find((name) => typeof first[name] === "number") ?? null;
  const right = (key: Key) => (score({ metrics: key.metrics } as Sample, metric ?? undefined) ?? 0) > 0;
  let bothRight = 0;
  let bothWrong = 0;
  const rightToWrong: Array<[number, number]> = [];
  const wrongToRight: Array<[number, number]> = [];
  for (const [x, y] of pairs) {
    const [rightA, rightB] = [right(x), right(y)];
    if (rightA && rightB) bothRight++;
    else if (!rightA && !rightB) bothWrong++;
    else (rightA ? rightToWrong : wrongToRight).push([x.index, y.index]);
  }
  const flipped = [...rightToWrong, ...wrongToRight];
  const [samplesA, samplesB] = await Promise.all([
    readSamples(
      a.details,
      flipped.map(([x]) => x),
    ),
    readSamples(
      b.details,
      flipped.map(([, y]) => y),
    ),
  ]);
  const expand = (list: Array<[number, number]>) => list.map(([x, y]) => ({ a: samplesA.get(x) as Sample, b: samplesB.get(y) as Sample }));
  return {
    a: pathA,
    b: pathB,
    metric,
    paired: pairs.length,
    pairedBy: pairedByPrompt ? "prompt" : "index",
    bothRight,
    bothWrong,
    rightToWrong: expand(rightToWrong),
    wrongToRight: expand(wrongToRight),
    pValue: mcnemarExact(rightToWrong.length, wrongToRight.length),
  };
}

interface Key {
  index: number;
  /** A 53-bit hash of the prompt text: pairing needs equality, not the text. */
  prompt: number;
  metrics: Record<string, unknown>;
}

/** The columns that hold a layout's prompt and metrics (all columns for an unknown layout). */
const KEY_COLUMNS: Record<string, string[]> = {
  new: ["doc", "metric"],
  swallow: ["full_prompt", "example", "metrics"],
  flat: ["full_prompt", "example", "metrics"],
  str: ["full_prompt", "example", "metrics"],
};

async function scanKeys(path: string): Promise<{ details: DetailsFile; keys: Key[] }> {
  const details = await openDetails(path);
  const wanted = KEY_COLUMNS[details.layout]?.filter((name) => details.columns.includes(name));
  const keys: Key[] = [];
  for await (const rows of scanRows(details, { columns: wanted })) {
    for (const row of rows) {
      const sample = toSample(row, details.layout, keys.length);
      keys.push({ index: sample.index, prompt: hash(promptText(sample)), metrics: sample.metrics });
    }
  }
  return { details, keys };
}

/** Whole samples at these indexes, read forward through each row group. */
async function readSamples(details: DetailsFile, indexes: number[]): Promise<Map<number, Sample>> {
  const samples = new Map<number, Sample>();
  const sorted = [...new Set(indexes)].sort((x, y) => x - y);
  for (const group of groupsOverlapping(details, 0, details.numRows)) {
    const inside = sorted.filter((index) => index >= group.start && index < group.end);
    if (inside.length === 0) continue;
    const reader = openGroup(details, group.index);
    for (const index of inside) {
      const [row] = await reader.read(index - group.start, index - group.start + 1);
      samples.set(index, toSample(row ?? {}, details.layout, index));
    }
  }
  return samples;
}

/** cyrb53: a fast 53-bit string hash. */
function hash(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
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
      if (!hasDetails(entry)) continue;
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
