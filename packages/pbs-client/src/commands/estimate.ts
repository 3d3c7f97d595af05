import { type Io, renderJson } from "@sweval/core";
import { estimateManifest, estimateSummary, renderEstimate } from "../estimate.js";
import { readManifest } from "./read-manifest.js";

/** `sweval-pbs estimate`: what a manifest's jobs would cost, a table (or `--json`) on stdout and one line on stderr. */
export async function estimateCommand(flags: { manifest?: string; json?: boolean }, io: Io): Promise<number> {
  const estimate = estimateManifest(await readManifest(flags.manifest, io));
  io.stdout.write(flags.json ? renderJson(estimate) : renderEstimate(estimate));
  io.stderr.write(`sweval-pbs: ${estimateSummary(estimate)}\n`);
  return 0;
}
