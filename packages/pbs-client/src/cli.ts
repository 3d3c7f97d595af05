import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { ExitCode, InputError, type Io, parseDocument, parseJsonText, processIo, readAll, renderJson, runCli } from "@sweval/core";
import { Command } from "commander";

/** `sweval-pbs`: submit a jobs manifest, show the status board, cancel, resubmit, read logs. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = new Command("sweval-pbs").description(
    "Submit and track sweval jobs on Grid Engine, PBS Pro, Slurm or this machine (local)",
  );
  const common = (command: Command) =>
    command
      .option("--ledger <file>", "the submission ledger (default: the manifest's, $SWEVAL_LEDGER, or ./results/.sweval/ledger.jsonl)")
      .option("--local-state <dir>", "the local scheduler's state (default: $SWEVAL_LOCAL_STATE_DIR or ~/.local/state/sweval/local)");

  common(program.command("submit"))
    .description("submit the jobs of a sweval/jobs manifest (stdin or --manifest); prints the outcome as JSON")
    .option("--manifest <file>", "read the manifest from a file instead of stdin")
    .option("--force", "submit even tasks that are queued, running or done")
    .option("--dry-run", "print what would be submitted, submit nothing")
    .option("--parallel <n>", "submissions in flight at once", toInt, 4)
    .option("--retries <n>", "retries of a transient scheduler error", toInt, 3)
    .option("--backoff-ms <ms>", "first retry delay, doubled each time", toInt, 1000)
    .option("--then-aggregate", "after each model's jobs, an aggregation job that waits for them (-hold_jid / afterany)")
    .action(async (flags: SubmitFlags) => {
      const [{ submitJobs }, { localStateDir }, { execReal }, { JobsManifestSchema, JOBS_KIND, JOBS_VERSION }] = await Promise.all([
        import("./submit.js"),
        import("./adapters/local.js"),
        import("./exec.js"),
        import("@sweval/job-renderer"),
      ]);
      const source = flags.manifest ? resolve(io.cwd, flags.manifest) : "<stdin>";
      const text = flags.manifest ? await readInput(source) : await readAll(io.stdin);
      if (text.trim() === "")
        throw new InputError("no manifest: pipe sweval-render into sweval-pbs submit, or pass --manifest", { code: "E_NO_MANIFEST" });
      const manifest = parseDocument(JobsManifestSchema, parseJsonText(text, source), { kind: JOBS_KIND, version: JOBS_VERSION }, source);
      const outcomes = await submitJobs({
        manifest,
        exec: execReal,
        ledger: flags.ledger ? resolve(io.cwd, flags.ledger) : null,
        force: flags.force,
        dryRun: flags.dryRun,
        parallel: flags.parallel,
        retries: flags.retries,
        backoffMs: flags.backoffMs,
        thenAggregate: flags.thenAggregate,
        localStateDir: flags.localState ? resolve(io.cwd, flags.localState) : localStateDir(io.env),
        env: io.env,
        log: (message) => io.stderr.write(`sweval-pbs: ${message}\n`),
      });
      if (flags.dryRun)
        for (const o of outcomes)
          io.stderr.write(`sweval-pbs: ${o.status === "skipped" ? `skip ${o.job} (${o.reason})` : `would run: ${o.argv.join(" ")}`}\n`);
      const count = (status: string) => outcomes.filter((o) => o.status === status).length;
      io.stderr.write(
        `sweval-pbs: ${count("submitted")} submitted, ${count("skipped")} skipped, ${count("failed")} failed${flags.dryRun ? `, ${count("would-submit")} would be submitted` : ""}\n`,
      );
      io.stdout.write(renderJson({ kind: "sweval/submit-result", version: 1, outcomes }));
      if (count("failed") > 0) exitCode = ExitCode.workFailed;
    });

  common(program.command("status"))
    .description("the board: one line per model × task, from the queue, accounting and the logs")
    .option("--manifest <file>", "also list the manifest's tasks that were never submitted")
    .option("--json", "print the sweval/status document")
    .option("--watch <seconds>", "refresh until nothing is queued or running", toInt)
    .action(async (flags: StatusFlags) => {
      const [{ buildBoard, renderBoard }, { readLedger }, { localStateDir }, { execReal }] = await Promise.all([
        import("./board.js"),
        import("./ledger.js"),
        import("./adapters/local.js"),
        import("./exec.js"),
      ]);
      const { ledgerPath } = await import("./submit.js");
      const ledger = ledgerPath(flags.ledger ? resolve(io.cwd, flags.ledger) : null, null, {
        ...io.env,
        REPO_PATH: io.env.REPO_PATH || io.cwd,
      });
      const expected = flags.manifest ? await expectedCells(resolve(io.cwd, flags.manifest)) : [];
      for (;;) {
        const { entries, warnings } = readLedger(ledger);
        for (const warning of warnings) io.stderr.write(`sweval-pbs: warning: ${warning}\n`);
        const board = await buildBoard({
          entries,
          exec: execReal,
          localStateDir: flags.localState ? resolve(io.cwd, flags.localState) : localStateDir(io.env),
          expected,
        });
        const active = board.cells.some((cell) => ["queued", "transferring", "running"].includes(cell.state));
        if (!flags.watch || !active) {
          io.stdout.write(flags.json ? renderJson(board) : renderBoard(board));
          return;
        }
        io.stderr.write(renderBoard(board));
        await new Promise((r) => setTimeout(r, (flags.watch ?? 5) * 1000));
      }
    });

  common(program.command("cancel"))
    .description("cancel queued or running jobs: job ids or task keys, --model, or --all")
    .argument("[targets...]", "job ids or task keys")
    .option("--model <id>", "only this model (<litellm-less id>, or id/custom)")
    .option("--all", "every queued or running job in the ledger")
    .action(async (targets: string[], flags: { ledger?: string; localState?: string; model?: string; all?: boolean }) => {
      const { cancelJobs } = await import("./manage.js");
      const cells = await cancelJobs({ ...(await manageOptions(flags, io)), selection: { targets, model: flags.model, all: flags.all } });
      io.stdout.write(
        renderJson({
          kind: "sweval/cancel-result",
          version: 1,
          cancelled: cells.map((c) => ({ model: c.model, task: c.task, jobId: c.jobId })),
        }),
      );
    });

  common(program.command("resubmit"))
    .description("resubmit the cells that failed (error, timeout, deleted) and were never done")
    .requiredOption("--failed", "select the failed cells (required, for safety)")
    .option("--model <id>", "only this model")
    .option("--dry-run", "print what would be resubmitted")
    .action(async (flags: { ledger?: string; localState?: string; model?: string; dryRun?: boolean }) => {
      const { resubmitFailed } = await import("./manage.js");
      const outcomes = await resubmitFailed({
        ...(await manageOptions(flags, io)),
        selection: flags.model ? { model: flags.model } : undefined,
        dryRun: flags.dryRun,
      });
      io.stdout.write(
        renderJson({
          kind: "sweval/resubmit-result",
          version: 1,
          resubmitted: outcomes.map((o) => ({
            model: o.cell.model,
            task: o.cell.task,
            was: o.cell.jobId,
            jobId: o.jobId ?? null,
            argv: o.argv,
          })),
        }),
      );
    });

  common(program.command("logs"))
    .description("the log paths and last lines of a task's latest job")
    .argument("<model>", "model id (or id/custom)")
    .argument("<task>", "task key, e.g. ja_gpqa")
    .option("-n, --lines <n>", "lines of each log", toInt, 40)
    .action(async (model: string, task: string, flags: { ledger?: string; localState?: string; lines: number }) => {
      const { jobLogs } = await import("./manage.js");
      const { cell, stdout, stderr } = await jobLogs({ ...(await manageOptions(flags, io)), model, task, lines: flags.lines });
      io.stdout.write(
        `# ${cell.model} ${cell.task}: ${cell.state} (job ${cell.jobId}; ${cell.reason})\n# stdout: ${cell.stdout}\n${stdout ?? "(no file)"}\n# stderr: ${cell.stderr}\n${stderr ?? "(no file)"}\n`,
      );
    });

  const code = await runCli("sweval-pbs", program, argv, io);
  return code === ExitCode.ok ? exitCode : code;
}

interface SubmitFlags {
  manifest?: string;
  ledger?: string;
  localState?: string;
  force?: boolean;
  dryRun?: boolean;
  parallel: number;
  retries: number;
  backoffMs: number;
  thenAggregate?: boolean;
}

interface StatusFlags {
  ledger?: string;
  localState?: string;
  manifest?: string;
  json?: boolean;
  watch?: number;
}

async function manageOptions(flags: { ledger?: string; localState?: string }, io: Io) {
  const [{ localStateDir }, { execReal }, { ledgerPath }] = await Promise.all([
    import("./adapters/local.js"),
    import("./exec.js"),
    import("./submit.js"),
  ]);
  return {
    ledger: ledgerPath(flags.ledger ? resolve(io.cwd, flags.ledger) : null, null, { ...io.env, REPO_PATH: io.env.REPO_PATH || io.cwd }),
    exec: execReal,
    localStateDir: flags.localState ? resolve(io.cwd, flags.localState) : localStateDir(io.env),
    env: io.env,
    log: (message: string) => io.stderr.write(`sweval-pbs: ${message}\n`),
  };
}

async function expectedCells(file: string) {
  const text = await readInput(file);
  const manifest = JSON.parse(text) as { jobs: Array<{ model: string; customSettings: string | null; tasks: string[] }> };
  return manifest.jobs.flatMap((job) => job.tasks.map((task) => ({ model: job.model, customSettings: job.customSettings, task })));
}

async function readInput(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new InputError("cannot be read", { code: "E_INPUT_FILE", file, cause: error });
  }
}

function toInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InputError(`expected a whole number, received "${value}"`, { code: "E_USAGE" });
  return Number(value);
}
