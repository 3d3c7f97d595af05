// TSUBAME points of one evaluation of the 19-task v202508 suite for an 8B, a 32B and a 70B model: the legacy layout
// (legacy-workflow.md §11.2: one job per task, ≤ 13B on node_q, larger on node_f tensor-parallel over 4 GPUs,
// tasks_runtime.csv's static h_rt) against sweval's (--layout auto + --walltime learned + --pack), simulated with
// TSUBAME4's formula, points = rate × (0.7 × max(actual, 300 s) + 0.1 × h_rt) / 3600 (tsubame-costs.md §2).
//
// The simulation, stated (seeded, so every run prints the same figures):
// - A task's run time for an 8B model on one GPU is 30–80 % of its hrt_q limit (the team sized the limits to their
//   runs, with room), uniform per run. Compute scales with the parameters and runs on tp^0.85 × dp GPUs' worth
//   (tensor parallelism communicates; data-parallel replicas do not).
// - Every job starts vLLM first: 3–5 minutes, uniform.
// - 10 % of jobs fail at a uniform point of their run and are submitted again once, whole (a packed job reruns every
//   task it holds: the board gives a packed job's cells its one state). A run past its h_rt is killed there and rerun.
// - sweval's learned walltimes come from a history of 20 earlier runs per task, generated the same way.
// Usage: npm run build && node bench/costs.mjs [evaluations=400]
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { resolvePlan, chooseLayout, legacyLayout, readClusterProfile } = await import(
  join(root, "packages/settings-resolver/dist/index.js")
);
const { learnedWalltime, packTasks } = await import(join(root, "packages/job-renderer/dist/index.js"));
const { random: prng } = await import("./aggregate-generate.mjs");

const EVALUATIONS = Number(process.argv[2] ?? 400);
const FAILURE_RATE = 0.1;
const HISTORY_RUNS = 20;
const { profile } = await readClusterProfile("tsubame4", root);
const rates = profile.costs.pointsPerHour;

const points = (nodeKind, actualSeconds, hrtSeconds) => (rates[nodeKind] * (0.7 * Math.max(actualSeconds, 300) + 0.1 * hrtSeconds)) / 3600;

/** One task's run time (seconds) for a model of `billions` on `tp` × `dp` GPUs. */
function taskSeconds(random, baseSeconds, billions, tp, dp) {
  const share = 0.3 + 0.5 * random();
  return (share * baseSeconds * (billions / 8)) / (tp ** 0.85 * dp);
}

const startSeconds = (random) => 180 + 120 * random();

/** One job: vLLM start, then its tasks; a failure or a timeout submits it once more. Points and node-hours. */
function runJob(random, job) {
  let total = 0;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const needed = startSeconds(random) + job.tasks.reduce((sum, task) => sum + taskSeconds(random, ...task), 0);
    const fails = random() < FAILURE_RATE;
    const ran = Math.min(fails ? needed * random() : needed, job.hrtSeconds);
    total += points(job.nodeKind, ran, job.hrtSeconds);
    if (!fails && needed <= job.hrtSeconds) break;
  }
  return total;
}

async function suiteFor(model, nodeKind) {
  return resolvePlan({
    model,
    cluster: "tsubame4",
    nodeKind,
    suite: "swallow-v202508",
    tasks: ["all"],
    root,
    offline: true,
    env: { HOME: "/nonexistent" },
  });
}

const rows = [];
for (const [model, billions] of [
  ["org/Model-8B", 8],
  ["org/Model-32B", 32],
  ["org/Model-70B", 70],
]) {
  const size = { parameters: billions * 1e9, bytesPerParameter: 2, source: "bench" };
  const legacy = legacyLayout(size, profile);
  const chosen = chooseLayout(size, profile);
  const legacyPlan = await suiteFor(model, legacy.nodeKind);
  const swevalPlan = await suiteFor(model, chosen.nodeKind);
  // Task run times rest on the hrt_q column (one GPU, 8B), whatever the node kind's own column says.
  const qPlan = await suiteFor(model, "node_q");
  const base = new Map(qPlan.tasks.map((task) => [task.key, task.walltime.seconds]));
  const random = prng(20261202 + billions);

  // The history sweval learns from: single-task jobs on the chosen layout, as --walltime learned reads them.
  const maxSeconds = 24 * 3600;
  const learned = swevalPlan.tasks.map((task) => {
    const runs = Array.from(
      { length: HISTORY_RUNS },
      () => startSeconds(random) + taskSeconds(random, base.get(task.key), billions, chosen.tensorParallel, chosen.dataParallel),
    );
    return {
      ...task,
      walltime: {
        ...task.walltime,
        seconds: learnedWalltime({ runs, timeouts: [] }, { staticSeconds: task.walltime.seconds, maxSeconds }).seconds,
      },
    };
  });
  const packed = packTasks(learned, maxSeconds);

  const layouts = {
    legacy: legacyPlan.tasks.map((task) => ({
      nodeKind: legacy.nodeKind,
      hrtSeconds: task.walltime.seconds,
      tasks: [[base.get(task.key), billions, legacy.tensorParallel, 1]],
    })),
    "layout only": swevalPlan.tasks.map((task) => ({
      nodeKind: chosen.nodeKind,
      hrtSeconds: task.walltime.seconds,
      tasks: [[base.get(task.key), billions, chosen.tensorParallel, chosen.dataParallel]],
    })),
    "layout + learned": learned.map((task) => ({
      nodeKind: chosen.nodeKind,
      hrtSeconds: task.walltime.seconds,
      tasks: [[base.get(task.key), billions, chosen.tensorParallel, chosen.dataParallel]],
    })),
    "layout + learned + pack": packed.map((bin) => ({
      nodeKind: chosen.nodeKind,
      hrtSeconds: Math.min(
        maxSeconds,
        bin.reduce((sum, task) => sum + task.walltime.seconds, 0),
      ),
      tasks: bin.map((task) => [base.get(task.key), billions, chosen.tensorParallel, chosen.dataParallel]),
    })),
  };
  const mean = {};
  const held = {};
  for (const [name, jobs] of Object.entries(layouts)) {
    let sum = 0;
    for (let evaluation = 0; evaluation < EVALUATIONS; evaluation += 1) for (const job of jobs) sum += runJob(random, job);
    mean[name] = sum / EVALUATIONS;
    held[name] = jobs.reduce((total, job) => total + rates[job.nodeKind] * 0.8 * (job.hrtSeconds / 3600), 0);
  }
  rows.push({
    model: `${billions}B`,
    legacyLayout: `${legacy.nodeKind} TP${legacy.tensorParallel}, ${layouts.legacy.length} jobs`,
    swevalLayout: `${chosen.nodeKind} TP${chosen.tensorParallel} DP${chosen.dataParallel}, ${packed.length} job(s)`,
    mean,
    held,
  });
}

console.log(`${EVALUATIONS} simulated evaluations of the 19-task swallow-v202508 suite per model; TSUBAME4 points, priority -5\n`);
console.log(
  "| model | legacy layout | sweval layout | legacy | layout only | + learned h_rt | + pack | saving | held at submission, legacy → sweval |",
);
console.log("|---|---|---|---:|---:|---:|---:|---:|---:|");
for (const row of rows) {
  const saving = 1 - row.mean["layout + learned + pack"] / row.mean.legacy;
  console.log(
    `| ${row.model} | ${row.legacyLayout} | ${row.swevalLayout} | ${row.mean.legacy.toFixed(2)} | ${row.mean["layout only"].toFixed(2)} | ${row.mean["layout + learned"].toFixed(2)} | ${row.mean["layout + learned + pack"].toFixed(2)} | ${(saving * 100).toFixed(0)} % | ${row.held.legacy.toFixed(1)} → ${row.held["layout + learned + pack"].toFixed(1)} |`,
  );
}
