import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { aggregateToFile } from "./aggregate.js";
import type { ResolvedConf } from "./conf.js";

export interface AggregateTreeOptions {
  /** lighteval/outputs/results: `<litellm model>[/<custom>]/results_*.json` below it. */
  rawRoot: string;
  /** results/: each model's aggregated_results.json goes to the same relative dir. */
  outRoot: string;
  conf: ResolvedConf;
}

export interface TreeOutcome {
  model: string;
  customSettings: string;
  path: string;
  filesRead: number;
  messages: string[];
}

/**
 * Aggregates every model under a raw results root in one process (for CI and re-aggregation after a fix):
 * each directory holding results files is one model [+ custom settings], named by its files' model_name.
 */
export async function aggregateTree(options: AggregateTreeOptions): Promise<TreeOutcome[]> {
  const outcomes: TreeOutcome[] = [];
  for (const dir of resultDirs(options.rawRoot)) {
    const model = modelNameOf(dir);
    if (!model) continue;
    const rel = relative(options.rawRoot, dir);
    const customSettings = rel.startsWith(`${model}/`) ? rel.slice(model.length + 1) : "";
    const result = await aggregateToFile({
      modelName: model,
      rawResultsDir: dir,
      outDir: join(options.outRoot, rel),
      conf: options.conf,
      customSettings: { name: customSettings },
    });
    outcomes.push({ model, customSettings, path: result.path, filesRead: result.filesRead, messages: result.messages });
  }
  return outcomes;
}

function resultDirs(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    const names = readdirSync(dir).sort();
    if (names.some((name) => /^results_.*\.json$/.test(name))) found.push(dir);
    for (const name of names) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
    }
  };
  if (existsSync(root)) walk(root);
  return found;
}

/** The model_name of the newest results file in a dir (lighteval names the dir after it). */
function modelNameOf(dir: string): string | null {
  const files = readdirSync(dir)
    .filter((name) => /^results_.*\.json$/.test(name))
    .sort()
    .reverse();
  for (const file of files) {
    const match = /"model_name"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(readFileSync(join(dir, file), "utf8"));
    if (match) return JSON.parse(`"${match[1]}"`) as string;
  }
  return null;
}
