/** The sweval tools the umbrella command knows, by sub-command name. */
export interface ToolEntry {
  /** The package whose `./cli` export has `main(argv, io)`. */
  packageName: string;
  bin: string;
  summary: string;
}

export const TOOLS: Record<string, ToolEntry> = {
  env: { packageName: "@sweval/env-setup", bin: "sweval-env", summary: "check .env and build the tool environments" },
  resolve: { packageName: "@sweval/settings-resolver", bin: "sweval-resolve", summary: "model + tasks + settings → sweval/plan" },
  render: { packageName: "@sweval/job-renderer", bin: "sweval-render", summary: "sweval/plan → job scripts + sweval/jobs manifest" },
  pbs: { packageName: "@sweval/pbs-client", bin: "sweval-pbs", summary: "submit, track, cancel and resubmit jobs" },
  run: { packageName: "@sweval/inference-runner", bin: "sweval-run", summary: "the job itself: serve the model, run lighteval" },
  aggregate: { packageName: "@sweval/aggregator", bin: "sweval-aggregate", summary: "aggregated_results.json, tables and charts" },
  details: { packageName: "@sweval/details-viewer", bin: "sweval-details", summary: "read and compare lighteval details files" },
};
