import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import {
  addHelpFooter,
  InputError,
  type Io,
  processIo,
  readAll,
  readPackageVersion,
  readTextInput,
  renderJson,
  runCli,
} from "@sweval/core";
import { Command, Option } from "commander";
import { JOB_TOOLS, type JobTools } from "./schema.js";

/** `sweval-render`: plan(s) on stdin → job scripts in --out and a sweval/jobs manifest on stdout. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const program = new Command("sweval-render")
    .version(readPackageVersion(import.meta.url), "-V, --version", "print the version")
    .description("Render sweval/plan documents (stdin) into job scripts and print a sweval/jobs manifest")
    .requiredOption("-o, --out <dir>", "directory for the job scripts, plan copies and manifest.json")
    .option("--plan <file>", "read the plan(s) from a file instead of stdin")
    .addOption(new Option("--job-command <command>", "what each job runs").choices(["sweval-run", "legacy"]).default("sweval-run"))
    .option("--legacy-script <path>", "evaluate_lighteval.sh for --job-command legacy (default: <repo>/scripts/qsub/evaluate_lighteval.sh)")
    .option("-g, --group <name>", "billing group (TSUBAME -g / ABCI -P); default from the profile's variable, e.g. TSUBAME_GROUP")
    .option("--priority <n>", "scheduler priority the profile allows (TSUBAME: -5, -4, -3)", parseInteger)
    .option("--pack", "bin each model's tasks into as few jobs as fit under the node kind's longest walltime (one vLLM start per job)")
    .addOption(
      new Option("--walltime <source>", "h_rt from tasks_runtime.csv (static) or from the ledger's run history (learned)")
        .choices(["static", "learned"])
        .default("static"),
    )
    .option(
      "--ledger <file>",
      "the history --walltime learned reads (default: $SWEVAL_LEDGER, else each plan's <store>/results/.sweval/ledger.jsonl)",
    )
    .option("--rehearse", "jobs run sweval-run --rehearse: simulated vLLM and lighteval, outputs marked as rehearsal")
    .option("--then-aggregate", "after each model's jobs, a job that re-aggregates it once they all ended (-hold_jid / afterany)")
    .option("--reservation <id>", "advance reservation the jobs run in (Grid Engine -ar, Slurm --reservation; default: $AR_ID)")
    .option("--dry-run", "print the manifest without writing anything")
    .action(async (flags: RenderFlags) => {
      const { parsePlans, groupFromEnvironment, readHistoryFor, renderJobs, resolveJobTools, writeJobs } = await import("./index.js");
      const outDir = resolve(io.cwd, flags.out);
      if (existsSync(outDir) && !statSync(outDir).isDirectory())
        throw new InputError("is a file; --out names the directory for the job scripts", { code: "E_USAGE", file: outDir, field: "--out" });
      const source = flags.plan ? resolve(io.cwd, flags.plan) : "<stdin>";
      if (!flags.plan && io.stdin.isTTY)
        io.stderr.write("sweval-render: reading sweval/plan documents from stdin (pipe sweval-resolve here, or pass --plan)\n");
      const text = flags.plan ? await readTextInput(source, "plan file") : await readAll(io.stdin);
      const plans = parsePlans(text, source);
      const [first] = plans;
      const tools = resolveJobTools(io.env);
      warnOnMissingTools(tools, flags, io);
      const { manifest, files } = renderJobs({
        plans,
        outDir,
        jobCommand: flags.jobCommand,
        // One manifest is one cluster, billed to one group: the first plan's checkout decides it.
        group: first ? await groupFromEnvironment(first, flags.group, io.env) : null,
        priority: flags.priority,
        rehearse: flags.rehearse,
        pack: flags.pack,
        thenAggregate: flags.thenAggregate,
        legacyScript: flags.legacyScript,
        reservation: flags.reservation ?? (io.env.AR_ID || null),
        tools,
        history:
          flags.walltime === "learned"
            ? await readHistoryFor(plans, {
                ledger: flags.ledger ? resolve(io.cwd, flags.ledger) : io.env.SWEVAL_LEDGER || null,
                log: io.stderr,
              })
            : null,
      });
      if (!flags.dryRun) await writeJobs(outDir, files);
      io.stderr.write(`sweval-render: ${flags.dryRun ? "would write" : "wrote"} ${manifest.jobs.length} job script(s) under ${outDir}\n`);
      io.stdout.write(renderJson(manifest));
    });
  addHelpFooter(program, {
    examples: [
      "sweval-resolve -m tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5 -t all | sweval-render --out jobs/ --group tga-example",
      "sweval-render --plan plan.json --out jobs/ --pack --then-aggregate --dry-run",
      "sweval-render --plan plan.json --out jobs/ --walltime learned   # h_rt from the ledger's past run times",
    ],
    env: ["SWEVAL_ENV_FILE", "SWEVAL_NODE", "SWEVAL_RUN", "SWEVAL_AGGREGATE", "SWEVAL_LEDGER"],
    otherEnv: {
      AR_ID: "the advance reservation when --reservation is not given (as V5's qsub_all.sh)",
      TSUBAME_GROUP: "the billing group when --group is not given (the cluster profile names the variable; also read from .env)",
    },
  });
  return runCli("sweval-render", program, argv, io);
}

interface RenderFlags {
  reservation?: string;
  out: string;
  plan?: string;
  jobCommand: "sweval-run" | "legacy";
  legacyScript?: string;
  group?: string;
  priority?: number;
  dryRun?: boolean;
  rehearse?: boolean;
  pack?: boolean;
  thenAggregate?: boolean;
  walltime: "static" | "learned";
  ledger?: string;
}

/** A tool the jobs need but the renderer could not find: the jobs then depend on the compute node's PATH. */
function warnOnMissingTools(tools: JobTools, flags: RenderFlags, io: Io): void {
  const needed = [...(flags.jobCommand === "sweval-run" ? [JOB_TOOLS.run] : []), ...(flags.thenAggregate ? [JOB_TOOLS.aggregate] : [])];
  for (const tool of needed)
    if (!tools[tool.key])
      io.stderr.write(
        `sweval-render: warning: ${tool.bin} is neither installed beside the renderer nor on PATH; the jobs will look for it on the compute node's PATH (install ${tool.packageName}, or @sweval/cli for every tool)\n`,
      );
}

function parseInteger(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new InputError(`expected an integer, received "${value}"`, { code: "E_USAGE", field: "--priority" });
  return Number(value);
}
