import { z } from "zod";

export const CONF_KIND = "sweval/aggregate-conf";
export const CONF_VERSION = 1;

export const AGGREGATE_FUNCTIONS = ["pick", "micro_average", "average_in_one_task"] as const;

const oneOrMore = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** One column of the aggregation table. */
export const ConfColumnSchema = z.object({
  name: z.string().min(1).describe("key in results and position in overall"),
  fn: z.string().describe("pick | micro_average | average_in_one_task; an unknown one makes the column -1"),
  metric: oneOrMore.describe("metric key, or a list of keys averaged by average_in_one_task"),
  task: oneOrMore.describe("lighteval task key(s) `suite|task|fewshot`; with several, the single one that exists is used"),
  whiteList: oneOrMore.optional().describe("micro_average only: a white list name, or an inline list of subsets"),
  group: z.string().optional().describe("for tables and charts"),
});
export type ConfColumn = z.infer<typeof ConfColumnSchema>;

/** An aggregation table file (conf/aggregate/*.yaml). */
export const AggregateConfSchema = z.object({
  kind: z.literal(CONF_KIND),
  version: z.literal(CONF_VERSION),
  name: z.string(),
  extends: z.string().optional().describe("another table (name or path) whose columns come first"),
  whiteLists: z.record(z.string(), z.array(z.string())).default({}),
  columns: z.array(ConfColumnSchema),
});
export type AggregateConf = z.infer<typeof AggregateConfSchema>;

/** lighteval's results_<date_id>.json, read leniently: only what the aggregator needs is checked. */
export const LightevalResultsSchema = z.looseObject({
  config_general: z.looseObject({
    model_name: z.string(),
    total_evaluation_time_secondes: z.union([z.string(), z.number()]).nullish(),
    start_time: z.unknown().optional(),
    end_time: z.unknown().optional(),
  }),
  results: z.record(z.string(), z.record(z.string(), z.unknown())),
  config_tasks: z.record(z.string(), z.looseObject({ effective_num_docs: z.unknown().optional() }).nullable()).optional(),
});
export type LightevalResults = z.infer<typeof LightevalResultsSchema>;

/** aggregated_results.json, as the legacy script writes it. */
export const AggregatedResultsSchema = z.object({
  model: z.string(),
  results: z.record(z.string(), z.number().nullable()),
  overall: z.string(),
  tasks: z.array(z.string()),
  custom_settings: z.object({ path: z.string(), name: z.string(), version: z.string() }).optional(),
});
export type AggregatedResults = z.infer<typeof AggregatedResultsSchema>;
