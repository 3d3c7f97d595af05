// Node-hours of the 19-task V4 suite on TSUBAME4 node_q, one job per task vs `sweval-render --pack`, with a
// vLLM start-up of 3 and 5 minutes per job. Task runtimes are the hrt_q limits of conf/tasks_runtime.csv (the
// legacy team sized them to the runs, so they stand in for run times). Usage: node bench/packing.mjs
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { resolvePlan } = await import(join(root, "packages/settings-resolver/dist/index.js"));
const { packTasks } = await import(join(root, "packages/job-renderer/dist/index.js"));

const plan = await resolvePlan({
  model: "tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5",
  cluster: "tsubame4",
  nodeKind: "node_q",
  root,
  offline: true,
  env: { HOME: "/nonexistent" },
});
const runtime = plan.tasks.reduce((sum, task) => sum + task.walltime.seconds, 0) / 3600;
const packed = packTasks(plan.tasks, 24 * 3600);
console.log(
  `${plan.tasks.length} tasks, ${runtime.toFixed(2)} h of task run time on node_q; --pack makes ${packed.length} job(s): ${packed.map((b) => b.length).join(" + ")} tasks\n`,
);
console.log("| vLLM start-up per job | jobs | node_q-hours | TSUBAME points (node_q 0.25/h, priority -5) |");
console.log("|---|---:|---:|---:|");
for (const minutes of [3, 5]) {
  for (const [label, jobs] of [
    ["one job per task", plan.tasks.length],
    ["--pack", packed.length],
  ]) {
    const hours = runtime + (jobs * minutes) / 60;
    console.log(`| ${minutes} min, ${label} | ${jobs} | ${hours.toFixed(2)} | ${(hours * 0.25).toFixed(2)} |`);
  }
}
