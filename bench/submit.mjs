// Time to submit N jobs to the running Son of Grid Engine: sweval-pbs submit (bounded parallel, with the
// ledger) against a plain sequential qsub loop in bash over the same argv, in the same run.
// Usage: node bench/submit.mjs [jobs=40] [parallel=4]   (needs SGE up: tools/schedulers/sge-up.sh, and npm run build)
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [jobs = "40", parallel = "4"] = process.argv.slice(2);
const work = mkdtempSync(join(tmpdir(), "sweval-bench-submit-"));
const bin = (pkg, name) => join(root, "packages", pkg, "bin", `${name}.js`);

try {
  const tasks = Array.from({ length: Number(jobs) }, (_, i) => `b_t${i}`);
  mkdirSync(join(work, "conf/clusters"), { recursive: true });
  mkdirSync(join(work, "generation_settings"), { recursive: true });
  writeFileSync(
    join(work, "conf/tasks_runtime.csv"),
    `key,script,result_dir,framework,hrt_q,hrt_f\n${tasks.map((t) => `${t},${t},b/${t},lighteval,00:01:00,00:01:00`).join("\n")}\n`,
  );
  writeFileSync(
    join(work, "generation_settings/task_settings.csv"),
    `key,generation_settings\n${tasks.map((t) => `${t},""`).join("\n")}\n`,
  );
  writeFileSync(
    join(work, "conf/clusters/bench.yaml"),
    "name: bench\ndescription: bench\nscheduler: grid-engine\nlegacyService: tsubame\ndefaultNodeKind: cpu_4\ngroup: null\npriorities: []\nnodeKinds:\n  cpu_4: { gpus: 0, walltimeColumn: hrt_f, resource: 'cpu_4=1' }\nsources: [bench]\n",
  );
  // Held jobs (-h) never run, so the measurement is submission only; they are deleted afterwards.
  const env = { ...process.env, HOME: work, REPO_PATH: work };
  const plan = execFileSync(
    process.execPath,
    [
      bin("settings-resolver", "sweval-resolve"),
      "--cluster",
      "bench",
      "--provider",
      "openai",
      "--model",
      "openai/bench",
      "--tasks",
      "all",
      "--offline",
      "-q",
    ],
    { cwd: work, env },
  );
  const manifest = JSON.parse(
    execFileSync(process.execPath, [bin("job-renderer", "sweval-render"), "--out", "jobs"], { cwd: work, env, input: plan }),
  );
  for (const job of manifest.jobs) job.submit.argv.splice(1, 0, "-h");
  writeFileSync(join(work, "manifest.json"), JSON.stringify(manifest));
  for (const job of manifest.jobs) mkdirSync(job.logDir, { recursive: true });
  writeFileSync(
    join(work, "loop.sh"),
    `#!/bin/bash\nset -e\n${manifest.jobs.map((job) => job.submit.argv.map((a) => `'${a}'`).join(" ")).join("\n")}\n`,
  );

  const time = (fn) => {
    const start = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - start) / 1e9;
  };
  const clean = () => spawnSync("qdel", ["-u", "root"], { stdio: "ignore" });
  clean();
  const loop = time(() => execFileSync("bash", [join(work, "loop.sh")], { stdio: "ignore" }));
  clean();
  const sweval = time(() =>
    execFileSync(
      process.execPath,
      [
        bin("pbs-client", "sweval-pbs"),
        "submit",
        "--manifest",
        "manifest.json",
        "--parallel",
        parallel,
        "--ledger",
        join(work, "ledger.jsonl"),
      ],
      { cwd: work, env, stdio: "ignore" },
    ),
  );
  clean();
  console.log(`| run (${jobs} jobs) | seconds | × the bash loop |`);
  console.log("|---|---:|---:|");
  console.log(`| sequential \`qsub\` loop in bash | ${loop.toFixed(2)} | 1.00 |`);
  console.log(
    `| \`sweval-pbs submit --parallel ${parallel}\` (with ledger and lock) | ${sweval.toFixed(2)} | ${(sweval / loop).toFixed(2)} |`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
