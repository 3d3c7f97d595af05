import { resolve } from "node:path";
import { ExitCode, InputError, type Io, renderJson } from "@sweval/core";
import type { JobsManifest } from "@sweval/job-renderer/schema";
import { checkJobTools } from "../check-tools.js";
import { execReal } from "../exec.js";
import { SUBMIT_RESULT_KIND, SUBMIT_RESULT_VERSION, type SubmitOutcome, type SubmitResult } from "../schema.js";
import { submitJobs } from "../submit.js";
import { type CommonFlags, localStateFor, logTo } from "./common.js";
import { readManifest } from "./read-manifest.js";

export interface SubmitFlags extends CommonFlags {
  manifest?: string;
  force?: boolean;
  dryRun?: boolean;
  parallel: number;
  retries: number;
  backoffMs: number;
  thenAggregate?: boolean;
  predownload?: boolean;
  maxPoints?: number;
  maxCost?: number;
  prices?: string;
}

/** `sweval-pbs submit`: the outcome document on stdout, a summary on stderr; exit 1 when a job failed to submit. */
export async function submitCommand(flags: SubmitFlags, io: Io): Promise<number> {
  if (flags.thenAggregate)
    throw new InputError("--then-aggregate moved to the renderer: the aggregation is a job of the manifest now", {
      code: "E_USAGE",
      field: "--then-aggregate",
      hint: "render with `sweval-render --then-aggregate …` and submit that manifest",
    });
  const manifest = await readManifest(flags.manifest, io);
  const log = logTo(io);
  const tools = checkJobTools(manifest, io.env);
  for (const note of tools.notes) log(note);
  for (const warning of tools.warnings) log(`warning: ${warning}`);
  if (!(await withinBudget(manifest, flags, io, log))) return ExitCode.workFailed;
  if (manifest.downloads?.length) {
    const { predownload } = await import("../predownload.js");
    await predownload({ manifest, choice: flags.predownload, dryRun: Boolean(flags.dryRun), env: io.env, log, progress: io.stderr });
  }
  const outcomes = await submitJobs({
    manifest,
    exec: execReal,
    ledger: flags.ledger ? resolve(io.cwd, flags.ledger) : null,
    force: flags.force,
    dryRun: flags.dryRun,
    parallel: flags.parallel,
    retries: flags.retries,
    backoffMs: flags.backoffMs,
    localStateDir: localStateFor(flags, io),
    env: io.env,
    log,
  });
  if (flags.dryRun)
    for (const o of outcomes) log(o.status === "skipped" ? `skip ${o.job} (${o.reason})` : `would run: ${o.argv.join(" ")}`);
  log(summary(outcomes, Boolean(flags.dryRun)));
  const result: SubmitResult = { kind: SUBMIT_RESULT_KIND, version: SUBMIT_RESULT_VERSION, outcomes };
  io.stdout.write(renderJson(result));
  return outcomes.some((o) => o.status === "failed") ? ExitCode.workFailed : ExitCode.ok;
}

/**
 * The estimate's one line before anything is submitted, and the budget stop: a plan above --max-points / --max-cost
 * (or SWEVAL_MAX_POINTS / SWEVAL_MAX_COST) or above the group's balance is refused whole, its estimate shown.
 */
async function withinBudget(manifest: JobsManifest, flags: SubmitFlags, io: Io, log: (line: string) => void): Promise<boolean> {
  const { budgetLimits, checkBudget } = await import("../budget.js");
  const limits = await budgetLimits(flags, io.env, io.cwd);
  if (!manifest.costs) {
    if (limits.maxPoints !== null || limits.maxCost !== null)
      throw new InputError(`cluster ${manifest.cluster} states no charging formula, so a budget cannot be checked`, {
        code: "E_NO_COSTS",
        field: limits.maxPoints !== null ? "--max-points" : "--max-cost",
      });
    return true;
  }
  const { estimateWithApi } = await import("./estimate.js");
  const { estimateSummary, renderEstimate } = await import("../estimate.js");
  const estimate = await estimateWithApi(manifest, { prices: flags.prices, io });
  log(`estimate: ${estimateSummary(estimate)}`);
  const verdict = await checkBudget(manifest, estimate, limits, { exec: execReal, env: io.env });
  for (const note of verdict.notes) log(note);
  if (verdict.refusals.length === 0) return true;
  io.stderr.write(renderEstimate(estimate));
  for (const refusal of verdict.refusals) log(`refused: ${refusal}`);
  log("nothing submitted");
  return false;
}

function summary(outcomes: SubmitOutcome[], dryRun: boolean): string {
  const count = (status: SubmitOutcome["status"]) => outcomes.filter((o) => o.status === status).length;
  return `${count("submitted")} submitted, ${count("skipped")} skipped, ${count("failed")} failed${dryRun ? `, ${count("would-submit")} would be submitted` : ""}`;
}
