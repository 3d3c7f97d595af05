// Aggregation speed on a synthetic tree: sweval in one process, sweval as one process per model (as jobs run it),
// and a Python baseline per model in the same run. Usage:
//   node bench/aggregate.mjs <models> [tasks<=19]
// The baseline is the legacy script when LEGACY_AGGREGATE_CMD is set (e.g. "uv run python scripts/aggregate_results.py"
// in a swallow-evaluation-instruct checkout), else the Python statement of it in packages/aggregator/tests/oracle.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeTree } from "./aggregate-generate.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [models = "500", tasks = "19"] = process.argv.slice(2);
const work = mkdtempSync(join(tmpdir(), "sweval-bench-aggregate-"));
const bin = join(root, "packages/aggregator/bin/sweval-aggregate.js");
const { aggregateToFile, readAggregateConf } = await import(join(root, "packages/aggregator/dist/index.js"));

async function time(label, fn) {
  const start = process.hrtime.bigint();
  await fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { label, seconds };
}

try {
  const dirs = writeTree(join(work, "raw"), Number(models), Number(tasks));
  const conf = readAggregateConf("swallow-v202508", root);
  const confJson = join(work, "conf.json");
  writeFileSync(
    confJson,
    JSON.stringify({
      columns: conf.columns.map((c) => ({
        name: c.name,
        fn: c.fn,
        metric: c.fn === "average_in_one_task" ? c.metrics : c.metrics[0],
        tasks: c.tasks,
        whiteListSubsets: c.whiteList,
      })),
    }),
  );
  const legacy = process.env.LEGACY_AGGREGATE_CMD?.split(" ") ?? [
    "python3",
    join(root, "packages/aggregator/tests/oracle/aggregate_oracle.py"),
    "--conf_json",
    confJson,
  ];
  const results = [];
  results.push(
    await time("sweval, one process (API)", () => {
      const pending = dirs.map(({ model, dir }) =>
        aggregateToFile({ modelName: model, rawResultsDir: dir, outDir: join(work, "out-api", model), conf }),
      );
      return Promise.all(pending);
    }),
  );
  results.push(
    await time("sweval-aggregate, one process per model", () => {
      for (const { model, dir } of dirs) {
        const r = spawnSync(process.execPath, [
          bin,
          "--model-name",
          model,
          "--raw-results-dir",
          dir,
          "--aggregated-outputs-dir",
          join(work, "out-cli", model),
          "-q",
        ]);
        if (r.status !== 0) throw new Error(String(r.stderr));
      }
    }),
  );
  results.push(
    await time(`baseline (${process.env.LEGACY_AGGREGATE_CMD ? "legacy script" : "Python statement of it"}), one process per model`, () => {
      for (const { model, dir } of dirs) {
        const [command, ...args] = legacy;
        const r = spawnSync(command, [
          ...args,
          "--model_name",
          model,
          "--raw_results_dir",
          dir,
          "--aggregated_outputs_dir",
          join(work, "out-py", model),
        ]);
        if (r.status !== 0) throw new Error(String(r.stderr));
      }
    }),
  );
  const baseline = results[2].seconds;
  console.log(`${models} models × ${tasks} tasks (${dirs.length * Number(tasks)} results files)\n`);
  console.log("| run | seconds | per model (ms) | speed-up vs baseline |");
  console.log("|---|---:|---:|---:|");
  for (const r of results)
    console.log(
      `| ${r.label} | ${r.seconds.toFixed(2)} | ${((r.seconds / dirs.length) * 1000).toFixed(1)} | ${(baseline / r.seconds).toFixed(1)}× |`,
    );
} finally {
  rmSync(work, { recursive: true, force: true });
}
