import { statSync } from "node:fs";
import { resolve } from "node:path";
import { addHelpFooter, InputError, type Io, processIo, readPackageVersion, renderJson, runCli } from "@sweval/core";
import { Command, Option } from "commander";
import type { Sample } from "./sample.js";
import type { DetailsDiff, DetailsListing, TaskDiff } from "./schema.js";

/** `sweval-details`: ls, show, diff and serve lighteval details files. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const program = new Command("sweval-details")
    .version(readPackageVersion(import.meta.url), "-V, --version", "print the version")
    .description("Read lighteval details parquet files: list runs, show samples, compare two runs, browse them locally");

  program
    .command("ls")
    .description("runs and tasks under lighteval's outputs (details/<model>/<date_id>/, results/<model>/), newest first, with scores")
    .argument("<dir>")
    .option("--json", "print JSON")
    .action(async (dir: string, flags: { json?: boolean }) => {
      const { listDetails } = await import("./query.js");
      const entries = await listDetails(resolve(io.cwd, dir));
      if (flags.json) {
        const { LISTING_KIND } = await import("./schema.js");
        const listing: DetailsListing = { kind: LISTING_KIND, version: 1, root: resolve(io.cwd, dir), entries };
        io.stdout.write(renderJson(listing));
      } else
        io.stdout.write(
          `${entries.map((e) => `${e.dateId}  ${e.model}  ${e.task}  ${e.rows} rows  ${e.layout}${scoreText(e.scores)}`).join("\n")}\n`,
        );
    });

  program
    .command("show")
    .description("samples of a details file (or the first file of a dir / of --task)")
    .argument("<path>", "a details parquet file, or a dir holding them")
    .option("--task <name>", "pick the file of this task in a dir (substring of the file name)")
    .option("--rows <a..b>", "row range, e.g. 10..20, or 10.. to the end (default: the first 10)")
    .option("--where <expr>", "metric filter, e.g. 'extractive_match<1'")
    .option("--grep <regex>", "search prompt, predictions and gold")
    .option("--columns <names>", "raw columns to show, comma-separated")
    .addOption(new Option("--format <format>", "output").choices(["table", "jsonl", "md"]).default("table"))
    .addOption(new Option("--json", "the samples as JSON Lines (same as --format jsonl)").conflicts("format"))
    .action(
      async (
        path: string,
        flags: {
          task?: string;
          rows?: string;
          where?: string;
          grep?: string;
          columns?: string;
          format: "table" | "jsonl" | "md";
          json?: boolean;
        },
      ) => {
        if (flags.json) flags.format = "jsonl";
        const [{ hasDetails, listDetails, readPage }, { renderSamples }] = await Promise.all([import("./query.js"), import("./render.js")]);
        let file = resolve(io.cwd, path);
        if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) {
          const entries = (await listDetails(file)).filter((e) => hasDetails(e) && (!flags.task || e.task.includes(flags.task)));
          if (!entries[0]) throw new InputError(`no details file for task "${flags.task}"`, { code: "E_NO_DETAILS", file });
          file = entries[0].path;
        }
        const [from, to] = parseRange(flags.rows);
        const filter = { where: flags.where, grep: flags.grep };
        const columns = flags.columns?.split(",");
        if (to !== Number.POSITIVE_INFINITY) {
          const result = await readPage(file, { start: from, limit: to - from, ...filter });
          io.stdout.write(renderSamples(result.samples, flags.format, columns));
          io.stderr.write(`sweval-details: ${result.samples.length} sample(s) of ${result.total}\n`);
          return;
        }
        await showToEnd(io, file, from, filter, flags.format, columns);
      },
    );

  program
    .command("diff")
    .description("pair two runs' samples task by task; flips with counts and an exact McNemar p-value")
    .argument("<a>", "run A: a details file, or a run dir (every task it shares with B)")
    .argument("<b>", "run B: a details file, or a run dir")
    .option("--task <name>", "with run dirs: only tasks whose name contains this")
    .option("--metric <name>", "the metric that says right (> 0) or wrong (default: the first numeric one)")
    .option("--json", "print JSON")
    .action(async (a: string, b: string, flags: { task?: string; metric?: string; json?: boolean }) => {
      const [{ diffRunDirs, diffRuns, taskDiff }, { taskOf }, { DIFF_KIND }] = await Promise.all([
        import("./diff.js"),
        import("./query.js"),
        import("./schema.js"),
      ]);
      const [pathA, pathB] = [resolve(io.cwd, a), resolve(io.cwd, b)];
      const dirs = [pathA, pathB].map((path) => statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false);
      if (dirs[0] !== dirs[1])
        throw new InputError("compare two details files or two run dirs, not one of each", {
          code: "E_USAGE",
          file: dirs[0] ? pathB : pathA,
        });
      const tasks = dirs[0]
        ? (await diffRunDirs(pathA, pathB, { task: flags.task, metric: flags.metric })).map((result) => taskDiff(result.task, result))
        : [taskDiff(taskOf(pathA), await diffRuns(pathA, pathB, { metric: flags.metric }))];
      const document: DetailsDiff = { kind: DIFF_KIND, version: 1, a: pathA, b: pathB, tasks };
      io.stdout.write(flags.json ? renderJson(document) : tasks.map(diffText).join("\n"));
    });

  program
    .command("serve")
    .description("a local web page over a details dir: runs → tasks → samples, filters, a sample view and the two-run diff")
    .argument("<dir>")
    .option("--port <n>", "port (default: any free one)", (v: string) => Number(v), 0)
    .option("--host <host>", "address to listen on (loopback by default)", "127.0.0.1")
    .action(async (dir: string, flags: { port: number; host: string }) => {
      const { startServer } = await import("./server.js");
      const { url } = await startServer({ root: resolve(io.cwd, dir), port: flags.port, host: flags.host });
      io.stderr.write(`sweval-details: serving ${resolve(io.cwd, dir)} at ${url} (Ctrl-C to stop)\n`);
      io.stdout.write(`${url}\n`);
      await new Promise(() => {});
    });

  addHelpFooter(program, {
    examples: [
      "sweval-details ls lighteval/outputs/details/",
      "sweval-details show lighteval/outputs/details/ --task ja_gpqa --rows 0..3",
      "sweval-details serve lighteval/outputs/details/ --port 8080",
    ],

    env: [],
  });

  const code = await runCli("sweval-details", program, argv, io);
  return code;
}

/** `show --rows a..`: JSON Lines go out a batch at a time, so a whole file pipes in little memory. */
async function showToEnd(
  io: Io,
  file: string,
  from: number,
  filter: { where?: string; grep?: string },
  format: "table" | "jsonl" | "md",
  columns: string[] | undefined,
): Promise<void> {
  const [{ iterateSamples }, { renderSamples }, { openDetails }] = await Promise.all([
    import("./query.js"),
    import("./render.js"),
    import("./open-details.js"),
  ]);
  const details = await openDetails(file);
  const batch: Sample[] = [];
  const all: Sample[] = [];
  let count = 0;
  const flush = async () => {
    if (batch.length > 0 && !io.stdout.write(renderSamples(batch, "jsonl", columns)))
      await new Promise((resolveDrain) => io.stdout.once("drain", resolveDrain));
    batch.length = 0;
  };
  for await (const sample of iterateSamples(details, { start: from, ...filter })) {
    count++;
    if (format !== "jsonl") all.push(sample);
    else if (batch.push(sample) === 256) await flush();
  }
  await flush();
  if (format !== "jsonl") io.stdout.write(renderSamples(all, format, columns));
  io.stderr.write(`sweval-details: ${count} sample(s) of ${details.numRows}\n`);
}

function diffText(diff: TaskDiff): string {
  return `${diff.task}: ${diff.paired} pairs (by ${diff.pairedBy}), metric ${diff.metric}
both right ${diff.bothRight}, both wrong ${diff.bothWrong}
right → wrong ${diff.rightToWrong.length}: ${diff.rightToWrong.join(", ")}
wrong → right ${diff.wrongToRight.length}: ${diff.wrongToRight.join(", ")}
McNemar exact p = ${diff.pValue.toPrecision(3)}
`;
}

function scoreText(scores: Record<string, number> | undefined): string {
  if (!scores) return "";
  return `  ${Object.entries(scores)
    .map(([name, value]) => `${name}=${Number(value.toFixed(4))}`)
    .join(" ")}`;
}

function parseRange(text: string | undefined): [number, number] {
  if (!text) return [0, 10];
  const match = /^(\d+)\.\.(\d*)$/.exec(text);
  if (!match)
    throw new InputError(`--rows expects a..b or a.. (to the end), e.g. 10..20, received "${text}"`, { code: "E_USAGE", field: "--rows" });
  return [Number(match[1]), match[2] ? Number(match[2]) : Number.POSITIVE_INFINITY];
}
