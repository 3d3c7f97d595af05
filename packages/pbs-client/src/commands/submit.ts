import { resolve } from "node:path";
import { ExitCode, InputError, type Io, renderJson } from "@sweval/core";
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

function summary(outcomes: SubmitOutcome[], dryRun: boolean): string {
  const count = (status: SubmitOutcome["status"]) => outcomes.filter((o) => o.status === status).length;
  return `${count("submitted")} submitted, ${count("skipped")} skipped, ${count("failed")} failed${dryRun ? `, ${count("would-submit")} would be submitted` : ""}`;
}
