import { mcnemarExact } from "./mcnemar.js";
import { openDetails } from "./open-details.js";
import { readRows } from "./read-details.js";
import { promptText, type Sample, score, toSample } from "./sample.js";

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
