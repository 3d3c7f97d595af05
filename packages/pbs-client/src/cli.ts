import { addHelpFooter, ExitCode, InputError, type Io, processIo, readPackageVersion, runCli } from "@sweval/core";
import { Command } from "commander";

/** `sweval-pbs`: submit a jobs manifest, show the status board, cancel, resubmit, read logs. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = new Command("sweval-pbs")
    .version(readPackageVersion(import.meta.url), "-V, --version", "print the version")
    .description("Submit and track sweval jobs on Grid Engine, PBS Pro, Slurm or this machine (local)");
  const common = (command: Command) =>
    command
      .option("--ledger <file>", "the submission ledger (default: the manifest's, $SWEVAL_LEDGER, or ./results/.sweval/ledger.jsonl)")
      .option("--local-state <dir>", "the local scheduler's state (default: $SWEVAL_LOCAL_STATE_DIR or ~/.local/state/sweval/local)");

  common(program.command("submit"))
    .description("submit the jobs of a sweval/jobs manifest (stdin or --manifest) in dependency order; prints the outcome as JSON")
    .option("--manifest <file>", "read the manifest from a file instead of stdin")
    .option("--force", "submit even tasks that are queued, running or done")
    .option("--dry-run", "print what would be submitted, submit nothing")
    .option("--parallel <n>", "submissions in flight at once", toInt, 4)
    .option("--retries <n>", "retries of a transient scheduler error", toInt, 3)
    .option("--backoff-ms <ms>", "first retry delay, doubled each time", toInt, 1000)
    .option("--predownload", "download each vLLM model on this node before submitting (default: as the cluster profile says)")
    .option("--no-predownload", "let each job find or download the model itself")
    .option("--max-points <n>", "refuse the plan if it holds more points at submission (default: $SWEVAL_MAX_POINTS)", toNumber)
    .option(
      "--max-cost <x>",
      "refuse the plan if its API calls cost more, in the prices file's currency (default: $SWEVAL_MAX_COST)",
      toNumber,
    )
    .option("--prices <file>", "API prices for the estimate (default: $SWEVAL_PRICES, conf/costs/prices.yaml, the shipped copy)")
    .option("--then-aggregate", "moved: render with sweval-render --then-aggregate")
    .action(async (flags) => {
      const { submitCommand } = await import("./commands/submit.js");
      exitCode = await submitCommand(flags, io);
    });

  program
    .command("estimate")
    .description("the points a manifest's jobs would hold at submission and cost (least, expected, worst), and the API calls' money")
    .option("--manifest <file>", "read the manifest from a file instead of stdin")
    .option("--json", "the sweval/estimate document instead of the table")
    .option("--prices <file>", "API prices (default: $SWEVAL_PRICES, conf/costs/prices.yaml, the shipped copy)")
    .action(async (flags) => {
      const { estimateCommand } = await import("./commands/estimate.js");
      exitCode = await estimateCommand(flags, io);
    });

  common(program.command("status"))
    .description("the board: one line per model × task, from the queue, accounting and the logs")
    .option("--manifest <file>", "also list the manifest's tasks that were never submitted")
    .option("--json", "print the sweval/status document")
    .option("--watch <seconds>", "refresh until nothing is queued or running", toInt)
    .action(async (flags) => {
      const { statusCommand } = await import("./commands/status.js");
      await statusCommand(flags, io);
    });

  common(program.command("cancel"))
    .description("cancel queued or running jobs: job ids or task keys, --model, or --all")
    .argument("[targets...]", "job ids or task keys")
    .option("--model <id>", "only this model (<litellm-less id>, or id/custom)")
    .option("--all", "every queued or running job in the ledger")
    .action(async (targets: string[], flags) => {
      const { cancelCommand } = await import("./commands/manage.js");
      await cancelCommand(targets, flags, io);
    });

  common(program.command("resubmit"))
    .description("resubmit the cells that failed (error, timeout, deleted) and were never done, as they were submitted")
    .requiredOption("--failed", "select the failed cells (required, for safety)")
    .option("--model <id>", "only this model")
    .option("--dry-run", "print what would be resubmitted")
    .action(async (flags) => {
      const { resubmitCommand } = await import("./commands/manage.js");
      await resubmitCommand(flags, io);
    });

  common(program.command("logs"))
    .description("the log paths and last lines of a task's latest job")
    .argument("<model>", "model id (or id/custom)")
    .argument("<task>", "task key, e.g. ja_gpqa")
    .option("-n, --lines <n>", "lines of each log", toInt, 40)
    .action(async (model: string, task: string, flags) => {
      const { logsCommand } = await import("./commands/manage.js");
      await logsCommand(model, task, flags, io);
    });

  addHelpFooter(program, {
    examples: [
      "sweval-render --out jobs/ < plan.json | sweval-pbs submit",
      "sweval-pbs estimate --manifest jobs/manifest.json",
      "sweval-pbs submit --manifest jobs/manifest.json --max-points 20 --max-cost 50",
      "sweval-pbs status --watch 30",
      "sweval-pbs resubmit --failed",
    ],

    env: [
      "SWEVAL_LEDGER",
      "SWEVAL_LOCAL_STATE_DIR",
      "SWEVAL_LOCAL_DEVICES",
      "SWEVAL_LOCAL_MAX_JOBS",
      "SWEVAL_NODE",
      "SWEVAL_RUN",
      "SWEVAL_AGGREGATE",
      "SWEVAL_HF_CMD",
      "SWEVAL_ENV_FILE",
      "SWEVAL_MAX_POINTS",
      "SWEVAL_MAX_COST",
      "SWEVAL_PRICES",
      "SWEVAL_TASK_SAMPLES",
    ],

    otherEnv: {
      REPO_PATH: "where results/.sweval/ledger.jsonl is looked for without a manifest (default: .)",
      HF_TOKEN: "the token the pre-download uses (from the checkout's .env; never on a command line)",
      HUGGINGFACE_CACHE: "where the pre-download puts the weights (hf download --cache-dir)",
    },
  });

  const code = await runCli("sweval-pbs", program, argv, io);
  return code === ExitCode.ok ? exitCode : code;
}

function toNumber(value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value)) throw new InputError(`expected a number, received "${value}"`, { code: "E_USAGE" });
  return Number(value);
}

function toInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InputError(`expected a whole number, received "${value}"`, { code: "E_USAGE" });
  return Number(value);
}
