export { lightevalArgs, renderModelConfig, servingKey, toolCommand, vllmServeArgs } from "./commands.js";
export type { Finding } from "./doctor.js";
export { diagnose, RULES, renderFindings } from "./doctor.js";
export { freePort, waitForHealth } from "./health.js";
export type { ProbeOptions, ProbeResult } from "./probe.js";
export { probeEndpoint, writeProviderLimits } from "./probe.js";
export { groupAlive, spawnGroup, stopGroup } from "./process-group.js";
export type { RunJobOptions } from "./run-job.js";
export { COMPLETION_LINE, groupByServing, RunExit, runJob } from "./run-job.js";
