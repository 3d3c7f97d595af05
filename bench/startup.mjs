// Start-up time of each CLI's --help against a bare `node -e 0`, measured in the same run.
// Usage: node bench/startup.mjs [runs]   (build first: npm run build)
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.argv[2] ?? 20);
const commands = {
  "node -e 0 (baseline)": ["-e", "0"],
  "sweval --help": [join(root, "packages/cli/bin/sweval.js"), "--help"],
  "sweval-resolve --help": [join(root, "packages/settings-resolver/bin/sweval-resolve.js"), "--help"],
  "sweval-render --help": [join(root, "packages/job-renderer/bin/sweval-render.js"), "--help"],
  "sweval resolve --help": [join(root, "packages/cli/bin/sweval.js"), "resolve", "--help"],
  "sweval-env --help": [join(root, "packages/env-setup/bin/sweval-env.js"), "--help"],
  "sweval-pbs --help": [join(root, "packages/pbs-client/bin/sweval-pbs.js"), "--help"],
  "sweval-run --help": [join(root, "packages/inference-runner/bin/sweval-run.js"), "--help"],
  "sweval-aggregate --help": [join(root, "packages/aggregator/bin/sweval-aggregate.js"), "--help"],
  "sweval-details --help": [join(root, "packages/details-viewer/bin/sweval-details.js"), "--help"],
};

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const results = {};
for (const [name, args] of Object.entries(commands)) {
  spawnSync(process.execPath, args); // warm the file cache
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const child = spawnSync(process.execPath, args, { stdio: "ignore" });
    if (child.status !== 0) throw new Error(`${name} exited ${child.status}`);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  results[name] = median(times);
}
const baseline = results["node -e 0 (baseline)"];
console.log(`| command | median ms (${runs} runs) | × node -e 0 |`);
console.log("|---|---:|---:|");
for (const [name, ms] of Object.entries(results)) console.log(`| \`${name}\` | ${ms.toFixed(1)} | ${(ms / baseline).toFixed(2)} |`);
