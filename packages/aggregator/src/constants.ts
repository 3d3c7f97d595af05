// Constants shared by the zod schemas and the hot path, kept apart so a one-shot run need not load zod.
export const CONF_KIND = "sweval/aggregate-conf";
export const CONF_VERSION = 1;
export const AGGREGATE_FUNCTIONS = ["pick", "micro_average", "average_in_one_task"] as const;
