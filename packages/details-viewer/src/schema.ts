import { z } from "zod";

export const LISTING_KIND = "sweval/details-listing";
export const DIFF_KIND = "sweval/details-diff";

/** One task of one run: a details file, or a results file's scores for a task whose details were not saved. */
export const DetailsEntrySchema = z.object({
  model: z.string(),
  dateId: z.string(),
  task: z.string().describe("suite|task[:subset]|fewshot"),
  path: z.string(),
  rows: z.number().int().describe("-1 where unknown"),
  layout: z.string().describe("new | swallow | flat | str | unknown | results | unreadable"),
  scores: z.record(z.string(), z.number()).optional(),
});

/** `sweval-details ls --json`. */
export const DetailsListingSchema = z.object({
  kind: z.literal(LISTING_KIND),
  version: z.literal(1),
  root: z.string(),
  entries: z.array(DetailsEntrySchema),
});
export type DetailsListing = z.infer<typeof DetailsListingSchema>;

/** One line of `sweval-details show --format jsonl`: a sample in the same shape whatever the layout. */
export const SampleLineSchema = z.object({
  index: z.number().int(),
  prompt: z.union([
    z.string(),
    z.array(z.object({ role: z.string(), content: z.string() }).loose()),
    z.array(z.array(z.object({ role: z.string(), content: z.string() }).loose())).describe("MT-Bench: one message list per turn"),
  ]),
  predictions: z.array(z.union([z.string(), z.array(z.string())])),
  gold: z.unknown(),
  specifics: z.unknown(),
  metrics: z.record(z.string(), z.unknown()),
  reasoning: z.array(z.string()).nullable(),
});

/** The flips of one task between run A and run B. */
export const TaskDiffSchema = z.object({
  task: z.string(),
  a: z.string().describe("details file of run A"),
  b: z.string().describe("details file of run B"),
  metric: z.string().nullable(),
  paired: z.number().int(),
  pairedBy: z.enum(["prompt", "index"]),
  bothRight: z.number().int(),
  bothWrong: z.number().int(),
  rightToWrong: z.array(z.number().int()).describe("sample indexes in A"),
  wrongToRight: z.array(z.number().int()).describe("sample indexes in A"),
  pValue: z.number().describe("exact two-sided McNemar test on the flips"),
});
export type TaskDiff = z.infer<typeof TaskDiffSchema>;

/** `sweval-details diff --json`: two files of one task, or every task two run dirs share. */
export const DetailsDiffSchema = z.object({
  kind: z.literal(DIFF_KIND),
  version: z.literal(1),
  a: z.string(),
  b: z.string(),
  tasks: z.array(TaskDiffSchema),
});
export type DetailsDiff = z.infer<typeof DetailsDiffSchema>;
