import type { z as Z } from "zod";
import { CONF_KIND, CONF_VERSION } from "./constants.js";

// The aggregation table's schemas are built from a zod namespace passed in, so the table reader can
// require zod lazily (only when a table is not cached) while schema.ts exports the same schemas statically.

export function defineConfColumnSchema(z: typeof Z) {
  const oneOrMore = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
  return z.object({
    name: z.string().min(1).describe("key in results and position in overall"),
    fn: z.string().describe("pick | micro_average | average_in_one_task; an unknown one makes the column -1"),
    metric: oneOrMore.describe("metric key, or a list of keys averaged by average_in_one_task"),
    task: oneOrMore.describe("lighteval task key(s) `suite|task|fewshot`; with several, the single one that exists is used"),
    whiteList: oneOrMore.optional().describe("micro_average only: a white list name, or an inline list of subsets"),
    group: z.string().optional().describe("for tables and charts"),
  });
}

export function defineAggregateConfSchema(z: typeof Z) {
  return z.object({
    kind: z.literal(CONF_KIND),
    version: z.literal(CONF_VERSION),
    name: z.string(),
    extends: z.string().optional().describe("another table (name or path) whose columns come first"),
    whiteLists: z.record(z.string(), z.array(z.string())).default({}),
    columns: z.array(defineConfColumnSchema(z)),
  });
}
