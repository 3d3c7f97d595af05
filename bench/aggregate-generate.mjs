// Synthetic lighteval results trees in lighteval's exact file layout, for the aggregator's tests and benchmark.
// Deterministic for a seed. Usage from the shell: node bench/aggregate-generate.mjs <out dir> <models> [tasks<=19]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** A small deterministic PRNG (mulberry32). */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The V4 tasks as the aggregation table sees them: lighteval task → subsets and metric keys. */
export function v4Tasks(confFile = join(root, "conf/aggregate/swallow-v202508.yaml")) {
  const conf = parse(readFileSync(confFile, "utf8"));
  const tasks = new Map();
  for (const column of conf.columns) {
    const taskKey = (Array.isArray(column.task) ? column.task[0] : column.task).split(",")[0];
    const [suite, name, fewshot] = taskKey.split("|");
    const entry = tasks.get(taskKey) ?? { suite, name, fewshot, subsets: new Set(), metrics: new Set() };
    for (const metric of [column.metric].flat()) entry.metrics.add(metric);
    if (column.fn === "micro_average") {
      const list = typeof column.whiteList === "string" ? conf.whiteLists[column.whiteList] : (column.whiteList ?? []);
      for (const subset of list) entry.subsets.add(subset);
    }
    tasks.set(taskKey, entry);
  }
  // Subsets that no white list names still count toward the task's overall average (JMMLU's two histories).
  tasks.get("swallow|swallow_jmmlu|0")?.subsets.add("japanese_history").add("world_history");
  for (const subset of ["24", "25"]) tasks.get("swallow|aime|0")?.subsets.add(subset);
  return [...tasks.values()];
}

/** A float as Python's json.dump writes it (repr), with exact 0.0 and 1.0 now and then. */
function metricText(next) {
  const r = next();
  if (r < 0.05) return "0.0";
  if (r < 0.1) return "1.0";
  return String(Math.round(next() * 1e15) / 1e15 || 0.5);
}

/** One lighteval results_<date_id>.json for one task (all its subsets), as text. */
export function resultsFileText({ model, task, next, withConfigTasks = true }) {
  const subsetNames = task.subsets.size > 0 ? [...task.subsets] : [null];
  const results = [];
  const configTasks = [];
  for (const subset of subsetNames) {
    const name = subset ? `${task.name}:${subset}` : task.name;
    const metrics = [...task.metrics].flatMap((metric) => [
      `      "${metric}": ${metricText(next)}`,
      `      "${metric}_stderr": ${metricText(next)}`,
    ]);
    results.push(`    "${task.suite}|${name}|${task.fewshot}": {\n${metrics.join(",\n")}\n    }`);
    const docs = 10 + Math.floor(next() * 290);
    configTasks.push(
      `    "${task.suite}|${name}": {\n      "name": "${name}",\n      "original_num_docs": ${docs},\n      "effective_num_docs": ${docs}\n    }`,
    );
  }
  if (subsetNames.length > 1)
    results.push(`    "${task.suite}|${task.name}:_average|${task.fewshot}": {\n      "${[...task.metrics][0]}": 0.5\n    }`);
  results.push(`    "all": {\n      "${[...task.metrics][0]}": 0.5\n    }`);
  const parts = [
    `  "config_general": {\n    "lighteval_sha": "?",\n    "model_name": "${model}",\n    "total_evaluation_time_secondes": "${(next() * 1000).toFixed(3)}",\n    "start_time": 1.5,\n    "end_time": 2.5\n  }`,
    `  "results": {\n${results.join(",\n")}\n  }`,
    `  "versions": {}`,
  ];
  if (withConfigTasks) parts.push(`  "config_tasks": {\n${configTasks.join(",\n")}\n  }`);
  return `{\n${parts.join(",\n")}\n}`;
}

/** `2025-08-18T12-34-56.789012` for the n-th file of a model. */
export function timestamp(n, fraction = true) {
  const date = new Date(Date.UTC(2025, 7, 18, 0, 0, 0) + n * 61_000);
  const iso = date
    .toISOString()
    .replace(/\.\d+Z$/, "")
    .replaceAll(":", "-");
  return fraction ? `${iso}.${String((n * 7919) % 1_000_000).padStart(6, "0")}` : iso;
}

/** Writes one model's raw results dir: one file per task, optionally older stale copies and other models' files. */
export function writeModel(dir, { model, seed, taskCount = 19, stale = false, foreign = false, tasks = v4Tasks() }) {
  mkdirSync(dir, { recursive: true });
  const next = random(seed);
  let n = 0;
  for (const task of tasks.slice(0, taskCount)) {
    if (stale) writeFileSync(join(dir, `results_${timestamp(n++)}.json`), resultsFileText({ model, task, next }));
    writeFileSync(join(dir, `results_${timestamp(1000 + n++)}.json`), resultsFileText({ model, task, next }));
    if (foreign)
      writeFileSync(join(dir, `results_${timestamp(2000 + n++)}.json`), resultsFileText({ model: `${model}-other`, task, next }));
  }
}

/** A tree of many models under <out>/<provider>/<org>/<model-i>/ (the legacy raw results layout). */
export function writeTree(out, models, taskCount = 19) {
  const tasks = v4Tasks();
  const dirs = [];
  for (let i = 0; i < models; i++) {
    const model = `hosted_vllm/org/model-${i}`;
    const dir = join(out, model);
    writeModel(dir, { model, seed: i + 1, taskCount, tasks });
    dirs.push({ model, dir });
  }
  return dirs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [out, models = "10", taskCount = "19"] = process.argv.slice(2);
  if (!out) throw new Error("usage: node bench/aggregate-generate.mjs <out dir> <models> [tasks]");
  const dirs = writeTree(out, Number(models), Number(taskCount));
  console.log(`wrote ${dirs.length} model(s) × ${taskCount} task(s) under ${out}`);
}
