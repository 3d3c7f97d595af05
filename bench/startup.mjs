// Start-up time of each CLI's --help, and of `sweval-pbs submit --dry-run` on a real 19-job manifest (what a
// pipe stage pays), against a bare `node -e 0`, measured in the same run.
// Usage: node bench/startup.mjs [runs] [checkout]   (build first: npm run build; checkout: another built
// clone to measure, e.g. the commit before a change, default this one)
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(process.argv[3] ?? join(dirname(fileURLToPath(import.meta.url)), ".."));
const runs = Number(process.argv[2] ?? 20);
const work = mkdtempSync(join(tmpdir(), "sweval-bench-startup-"));
const env = { ...process.env, REPO_PATH: work, SWEVAL_LEDGER: join(work, "ledger.jsonl"), SWEVAL_LOCAL_STATE_DIR: join(work, "state") };
const manifest = renderManifest();
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
  "sweval-pbs submit --dry-run (19 jobs)": [
    join(root, "packages/pbs-client/bin/sweval-pbs.js"),
    "submit",
    "--dry-run",
    "--manifest",
    manifest,
  ],
};

/** The quick start's manifest (19 tasks, local), rendered by the checkout's own resolve | render. */
function renderManifest() {
  const resolved = spawnSync(
    process.execPath,
    [join(root, "packages/settings-resolver/bin/sweval-resolve.js"), "--model", "tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5"].concat([
      "--custom-settings",
      "default",
      "--tasks",
      "all",
      "--offline",
      "-q",
    ]),
    { cwd: work, env, encoding: "utf8" },
  );
  if (resolved.status !== 0) throw new Error(`resolve failed: ${resolved.stderr}`);
  const rendered = spawnSync(process.execPath, [join(root, "packages/job-renderer/bin/sweval-render.js"), "--out", join(work, "jobs")], {
    cwd: work,
    env,
    input: resolved.stdout,
    encoding: "utf8",
  });
  if (rendered.status !== 0) throw new Error(`render failed: ${rendered.stderr}`);
  const file = join(work, "manifest.json");
  writeFileSync(file, rendered.stdout);
  return file;
}

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
    const child = spawnSync(process.execPath, args, { stdio: "ignore", cwd: work, env });
    if (child.status !== 0) throw new Error(`${name} exited ${child.status}`);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  results[name] = median(times);
}
const baseline = results["node -e 0 (baseline)"];
console.log(`checkout: ${root}`);
console.log(`| command | median ms (${runs} runs) | × node -e 0 |`);
console.log("|---|---:|---:|");
for (const [name, ms] of Object.entries(results)) console.log(`| \`${name}\` | ${ms.toFixed(1)} | ${(ms / baseline).toFixed(2)} |`);
