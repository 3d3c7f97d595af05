import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { addHelpFooter, InputError, type Io, processIo, readPackageVersion, readTextInput, runCli, writeFileAtomic } from "@sweval/core";
import { Command, Option } from "commander";

const LEGACY_FLAGS = [
  "model_name",
  "raw_results_dir",
  "aggregated_outputs_dir",
  "used_custom_settings_path",
  "used_custom_settings_name",
  "used_custom_settings_version",
];

/**
 * `sweval-aggregate`: the drop-in for aggregate_results.py (also under its underscore flag spellings), plus
 * `table` and `chart` across models.
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const program = new Command("sweval-aggregate")
    .version(readPackageVersion(import.meta.url), "-V, --version", "print the version")
    .description(
      "Aggregate lighteval results into aggregated_results.json (drop-in for aggregate_results.py); `table` and `chart` compare models",
    )
    .option("--model-name <name>", "litellm model string whose results to aggregate, e.g. hosted_vllm/<org>/<model>")
    .option("--raw-results-dir <dir>", "the dir holding results_<date_id>.json (not searched recursively)")
    .option("--aggregated-outputs-dir <dir>", "where aggregated_results.json is written")
    .option("--used-custom-settings-path <path>", "recorded in custom_settings.path", "")
    .option("--used-custom-settings-name <name>", "recorded in custom_settings.name", "")
    .option("--used-custom-settings-version <version>", "recorded in custom_settings.version", "")
    .option("--conf <name|file>", "aggregation table: conf/aggregate/<name>.yaml or a path", "swallow-v202508")
    .option("--root <dir>", "where conf/ lives (default: .)")
    .addOption(new Option("--print <what>", "also print to stdout").choices(["overall", "json"]))
    .option("-q, --quiet", "do not print the per-column messages on stderr")
    .action(async (flags: DropInFlags) => {
      for (const flag of ["modelName", "rawResultsDir", "aggregatedOutputsDir"] as const) {
        if (!flags[flag])
          throw new InputError(`missing --${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, { code: "E_USAGE", field: flag });
      }
      // Only the modules this path needs: the package index would also load zod for its schemas.
      const [{ aggregateToFile }, { readAggregateConf }] = await Promise.all([import("./aggregate.js"), import("./conf.js")]);
      const conf = readAggregateConf(flags.conf, resolve(io.cwd, flags.root ?? "."));
      const rawResultsDir = resolve(io.cwd, flags.rawResultsDir as string);
      // An empty results dir is the legacy's "every column -1"; a dir that is not there is a wrong path.
      if (!existsSync(rawResultsDir) || !statSync(rawResultsDir).isDirectory())
        throw new InputError(existsSync(rawResultsDir) ? "not a directory" : "no such directory", {
          code: "E_INPUT_FILE",
          file: rawResultsDir,
          field: "--raw-results-dir",
        });
      const result = await aggregateToFile({
        modelName: flags.modelName as string,
        rawResultsDir,
        outDir: resolve(io.cwd, flags.aggregatedOutputsDir as string),
        conf,
        customSettings: {
          path: flags.usedCustomSettingsPath,
          name: flags.usedCustomSettingsName,
          version: flags.usedCustomSettingsVersion,
        },
      });
      if (!flags.quiet) for (const message of result.messages) io.stderr.write(`${message}\n`);
      if (result.filesRead === 0) {
        const hint =
          flags.modelName?.includes("/") && !/^(hosted_vllm|openai|deepinfra|openrouter)\//.test(flags.modelName)
            ? " (vLLM results are named hosted_vllm/<org>/<model>)"
            : "";
        io.stderr.write(
          `sweval-aggregate: warning: no results files for model "${flags.modelName}" in ${flags.rawResultsDir}${hint}; every column is -1\n`,
        );
      }
      io.stderr.write(`sweval-aggregate: wrote ${result.path} (${result.filesRead} results file(s), ${conf.columns.length} columns)\n`);
      if (flags.print === "json") io.stdout.write(`${result.text}\n`);
      if (flags.print === "overall") io.stdout.write(`${JSON.parse(result.text).overall}\n`);
    });

  program
    .command("all")
    .description("aggregate every model under a raw results root in one process (results dirs mirror the raw layout)")
    .argument("<raw-results-root>", "e.g. lighteval/outputs/results")
    .requiredOption("-o, --out <results-root>", "e.g. results")
    .option("--conf <name|file>", "aggregation table", "swallow-v202508")
    .option("--root <dir>", "where conf/ lives (default: .)")
    .option("-q, --quiet", "do not print the per-column messages on stderr")
    .action(async (rawRoot: string, flags: { out: string; conf: string; root?: string; quiet?: boolean }) => {
      const [{ aggregateTree }, { readAggregateConf }] = await Promise.all([import("./aggregate-tree.js"), import("./conf.js")]);
      const conf = readAggregateConf(flags.conf, resolve(io.cwd, flags.root ?? "."));
      const outcomes = await aggregateTree({ rawRoot: resolve(io.cwd, rawRoot), outRoot: resolve(io.cwd, flags.out), conf });
      for (const outcome of outcomes) {
        if (!flags.quiet) for (const message of outcome.messages) io.stderr.write(`${outcome.model}: ${message}\n`);
        io.stderr.write(`sweval-aggregate: wrote ${outcome.path} (${outcome.filesRead} results file(s))\n`);
      }
      if (outcomes.length === 0) io.stderr.write(`sweval-aggregate: warning: no results files under ${rawRoot}\n`);
    });

  program
    .command("table")
    .description("one row per model (+ custom settings) in the conf's column order, from aggregated_results.json files or dirs")
    .argument("<paths...>", "aggregated_results.json files, or directories searched for them")
    .option("--conf <name|file>", "aggregation table giving the columns", "swallow-v202508")
    .option("--root <dir>", "where conf/ lives (default: .)")
    .addOption(new Option("-f, --format <format>", "output format").choices(["tsv", "csv", "md", "json"]).default("tsv"))
    .option("--json", "the sweval/aggregate-table document (same as --format json)")
    .addOption(new Option("--missing <as>", "how missing values show").choices(["blank", "-1"]).default("blank"))
    .option("--diff <table>", "an earlier table (tsv/csv/json from this command): mark changed cells")
    .option("-o, --out <file>", "write to a file instead of stdout")
    .action(async (paths: string[], flags: TableFlags) => {
      const { buildTable, findAggregatedFiles, parseTable, readAggregateConf, renderTable } = await import("./index.js");
      const conf = readAggregateConf(flags.conf, resolve(io.cwd, flags.root ?? "."));
      const table = buildTable(findAggregatedFiles(paths.map((p) => resolve(io.cwd, p))), conf);
      const previous = flags.diff ? parseTable(await readTextInput(resolve(io.cwd, flags.diff), "previous table"), flags.diff) : null;
      const text = renderTable(table, { format: flags.json ? "json" : flags.format, missing: flags.missing, previous });
      await output(text, flags.out, io);
    });

  program
    .command("chart")
    .description("a self-contained HTML page comparing models per task group")
    .argument("<paths...>", "aggregated_results.json files, or directories searched for them")
    .option("--conf <name|file>", "aggregation table giving the columns and groups", "swallow-v202508")
    .option("--root <dir>", "where conf/ lives (default: .)")
    .option("--title <text>", "page title", "sweval: model comparison")
    .option("-o, --out <file>", "write the HTML to a file instead of stdout")
    .action(async (paths: string[], flags: { conf: string; root?: string; title: string; out?: string }) => {
      const { buildTable, findAggregatedFiles, readAggregateConf, renderChart } = await import("./index.js");
      const conf = readAggregateConf(flags.conf, resolve(io.cwd, flags.root ?? "."));
      const table = buildTable(findAggregatedFiles(paths.map((p) => resolve(io.cwd, p))), conf);
      await output(renderChart(table, conf, flags.title), flags.out, io);
    });

  addHelpFooter(program, {
    examples: [
      "sweval-aggregate --model-name hosted_vllm/tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5 --raw-results-dir lighteval/outputs/results/hosted_vllm/tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5 --aggregated-outputs-dir results/hosted_vllm/tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5",
      "sweval-aggregate table --json results/",
      "sweval-aggregate table --diff old.csv results/",
    ],

    env: ["SWEVAL_CACHE_DIR"],

    otherEnv: { XDG_CACHE_HOME: "where the cache goes when SWEVAL_CACHE_DIR is unset" },
  });

  return runCli("sweval-aggregate", program, normalizeLegacyFlags(argv), io);
}

/** `--model_name x` and `--model_name=x` → `--model-name`, so legacy job scripts call this unchanged. */
export function normalizeLegacyFlags(argv: readonly string[]): string[] {
  return argv.map((arg) => {
    const match = /^--([a-z_]+)(=.*)?$/.exec(arg);
    if (!match || !LEGACY_FLAGS.includes(match[1] as string)) return arg;
    return `--${(match[1] as string).replaceAll("_", "-")}${match[2] ?? ""}`;
  });
}

interface DropInFlags {
  modelName?: string;
  rawResultsDir?: string;
  aggregatedOutputsDir?: string;
  usedCustomSettingsPath: string;
  usedCustomSettingsName: string;
  usedCustomSettingsVersion: string;
  conf: string;
  root?: string;
  print?: "overall" | "json";
  quiet?: boolean;
}

interface TableFlags {
  conf: string;
  root?: string;
  format: "tsv" | "csv" | "md" | "json";
  json?: boolean;
  missing: "blank" | "-1";
  diff?: string;
  out?: string;
}

async function output(text: string, file: string | undefined, io: Io): Promise<void> {
  if (file) {
    await writeFileAtomic(resolve(io.cwd, file), text);
    io.stderr.write(`sweval-aggregate: wrote ${resolve(io.cwd, file)}\n`);
  } else io.stdout.write(text);
}
