import { z } from "zod";

import { defineAggregateConfSchema, defineConfColumnSchema } from "./conf-schema.js";

export { AGGREGATE_FUNCTIONS, CONF_KIND, CONF_VERSION } from "./constants.js";

/** One column of the aggregation table. */
export const ConfColumnSchema = defineConfColumnSchema(z);
export type ConfColumn = z.infer<typeof ConfColumnSchema>;

/** An aggregation table file (conf/aggregate/*.yaml). */
export const AggregateConfSchema = defineAggregateConfSchema(z);
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
