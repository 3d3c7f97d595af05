import { type Io, renderJson } from "@sweval/core";
import type { JobsManifest } from "@sweval/job-renderer/schema";
import { type Estimate, estimateManifest, estimateSummary, renderEstimate } from "../estimate.js";
import { readManifest } from "./read-manifest.js";

/** `sweval-pbs estimate`: what a manifest's jobs would cost, a table (or `--json`) on stdout and one line on stderr. */
export async function estimateCommand(flags: { manifest?: string; json?: boolean; prices?: string }, io: Io): Promise<number> {
  const estimate = await estimateWithApi(await readManifest(flags.manifest, io), { prices: flags.prices, io });
  io.stdout.write(flags.json ? renderJson(estimate) : renderEstimate(estimate));
  io.stderr.write(`sweval-pbs: ${estimateSummary(estimate)}\n`);
  return 0;
}

/** Points from the cluster's formula and, from the jobs' plans, the API calls' money. */
export async function estimateWithApi(manifest: JobsManifest, options: { prices?: string | null; io: Io }): Promise<Estimate> {
  const { estimateApi, readCostData, readManifestPlans } = await import("../api-estimate.js");
  const { plans, missing } = await readManifestPlans(manifest);
  for (const path of missing) options.io.stderr.write(`sweval-pbs: warning: ${path} is gone; its jobs' API calls are not estimated\n`);
  const data = await readCostData({ prices: options.prices, env: options.io.env, cwd: options.io.cwd });
  return estimateManifest(manifest, { api: estimateApi(manifest, plans, data), plans });
}
