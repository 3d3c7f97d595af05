import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ResolvedConf } from "../src/index.js";

export const oracle = fileURLToPath(new URL("./oracle/aggregate_oracle.py", import.meta.url));
export const hasPython = spawnSync("python3", ["--version"]).status === 0;

/** Runs the Python statement of the legacy script and returns the bytes it wrote. */
export function runOracle(options: {
  modelName: string;
  rawDir: string;
  outDir: string;
  conf: ResolvedConf;
  custom?: [string, string, string];
}): string {
  const confJson = join(options.outDir, "..", `conf-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    confJson,
    JSON.stringify({
      columns: options.conf.columns.map((c) => ({
        name: c.name,
        fn: c.problem ? `!${c.fn}` : c.fn,
        metric: c.fn === "average_in_one_task" ? c.metrics : c.metrics[0],
        tasks: c.tasks,
        whiteListSubsets: c.whiteList,
      })),
    }),
  );
  const [path, name, version] = options.custom ?? ["", "", ""];
  const result = spawnSync(
    "python3",
    [
      oracle,
      "--model_name",
      options.modelName,
      "--raw_results_dir",
      options.rawDir,
      "--aggregated_outputs_dir",
      options.outDir,
      "--used_custom_settings_path",
      path,
      "--used_custom_settings_name",
      name,
      "--used_custom_settings_version",
      version,
      "--conf_json",
      confJson,
    ],
    { encoding: "utf8" },
  );
  if (result.status !== 0) throw new Error(`oracle failed: ${result.stderr}`);
  return readFileSync(join(options.outDir, "aggregated_results.json"), "utf8");
}
