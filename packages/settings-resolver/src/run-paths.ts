import type { Plan } from "./schema.js";

/** Where a job reads and writes for a plan: the plan's own paths, or a rehearsal's, kept apart from real results. */
export interface RunPaths {
  /** The model name lighteval and the aggregator see (`rehearsal/<litellm model>` in a rehearsal). */
  litellmModel: string;
  resultsDir: string;
  rawResultsDir: string;
  rawDetailsDir: string;
}

/**
 * A rehearsal's outputs go under `results/rehearsal/` and its raw outputs under a `rehearsal/` model name, so
 * a simulated score can never be taken for a real one. Derived from the plan's parts, never by editing paths.
 */
export function runPaths(plan: Plan, options: { rehearse?: boolean } = {}): RunPaths {
  if (!options.rehearse)
    return {
      litellmModel: plan.litellmModel,
      resultsDir: plan.paths.resultsDir,
      rawResultsDir: plan.paths.rawResultsDir,
      rawDetailsDir: plan.paths.rawDetailsDir,
    };
  const litellmModel = `rehearsal/${plan.litellmModel}`;
  const resultsRoot = `${plan.paths.storePath}/results/`;
  const tail = plan.paths.resultsDir.startsWith(resultsRoot) ? plan.paths.resultsDir.slice(resultsRoot.length) : plan.fingerprint;
  return {
    litellmModel,
    resultsDir: `${resultsRoot}rehearsal/${tail}`,
    rawResultsDir: `${plan.paths.rawOutputDir}/results/${litellmModel}${plan.paths.outputSubdir}`,
    rawDetailsDir: `${plan.paths.rawOutputDir}/details/${litellmModel}${plan.paths.outputSubdir}`,
  };
}
