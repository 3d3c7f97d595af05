// Load figures of issue #12's probes, for this checkout and (optionally) another built one, in the same run:
//   1. `sweval-pbs status` on a ledger of N lines (Grid Engine jobs, 10 submissions per cell, the newest done),
//      cold (nothing known yet) and warm (a second status, after the first kept the final states), with stand-in
//      qstat/qacct on PATH that answer at once and count their calls;
//   2. `sweval-run doctor` on a vLLM log of M MB: peak memory (max RSS) and time.
// Usage: node bench/load.mjs [lines=100000] [log MB=600] [other checkout]   (build first: npm run build)
import { spawnSync } from "node:child_process";
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const lines = Number(process.argv[2] ?? 100_000);
const logMb = Number(process.argv[3] ?? 600);
const checkouts = [here, ...(process.argv[4] ? [resolve(process.argv[4])] : [])];
const work = mkdtempSync(join(tmpdir(), "sweval-bench-load-"));

const bin = join(work, "bin");
mkdirSync(bin);
const calls = join(work, "calls");
writeFileSync(
  join(bin, "qstat"),
  `#!/bin/bash\necho x >> ${calls}\necho "<?xml version='1.0'?><job_info><queue_info></queue_info><job_info></job_info></job_info>"\n`,
);
// `qacct -j ID` answers one job; `qacct -o USER -j` lists every job of the ledger (what the board reads in bulk).
writeFileSync(
  join(bin, "qacct"),
  `#!/bin/bash
echo x >> ${calls}
record() { printf '==============================================================\\nqname all.q\\njobname t\\njobnumber %s\\nqsub_time Sat Nov 28 10:56:22 2026\\nfailed 0\\nexit_status 0\\n' "$1"; }
if [ "\${@: -1}" = "-j" ]; then for ((i = 1000; i < ${1000 + lines}; i++)); do record "$i"; done; else record "$2"; fi
`,
);
for (const name of ["qstat", "qacct"]) chmodSync(join(bin, name), 0o755);
const log = join(work, "job.log");
writeFileSync(log, "✅ Result aggregation was successfully done.\n");

/** A version 1 ledger (both checkouts read it): cells of 10 submissions, the newest of each done. */
function writeLedger(file) {
  const fd = openSync(file, "w");
  let chunk = "";
  for (let i = 0; i < lines; i++) {
    const cell = Math.floor(i / 10);
    chunk += `${JSON.stringify({
      kind: "sweval/ledger-entry",
      version: 1,
      event: "submitted",
      at: "2026-11-28T00:00:00.000Z",
      jobId: String(1000 + i),
      scheduler: "grid-engine",
      cluster: "tsubame4",
      name: `t${cell}`,
      model: "org/model",
      customSettings: null,
      tasks: [`t${cell}`],
      script: "/x.sh",
      planPath: "/plan.json",
      planFingerprint: "0000000000000000",
      stdout: log,
      stderr: log,
      logDir: work,
      walltimeSeconds: 3600,
      argv: ["qsub", "/x.sh"],
      user: "u",
    })}\n`;
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = "";
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
}

function status(checkout, ledger) {
  writeFileSync(calls, "");
  const start = process.hrtime.bigint();
  const run = spawnSync(
    process.execPath,
    [join(checkout, "packages/pbs-client/bin/sweval-pbs.js"), "status", "--json", "--ledger", ledger],
    {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, SWEVAL_LOCAL_STATE_DIR: join(work, "state") },
      maxBuffer: 1 << 30,
    },
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0) throw new Error(`status failed in ${checkout}: ${run.stderr}`);
  return { seconds, calls: readFileSync(calls, "utf8").split("\n").filter(Boolean).length };
}

function writeVllmLog(file) {
  const fd = openSync(file, "w");
  const block = Array.from({ length: 2000 }, (_, i) =>
    i % 50 === 0
      ? "WARNING 08-01 12:00:00 [scheduler.py:1234] Sequence group 7 is preempted by PreemptionMode.RECOMPUTE mode because there is not enough KV cache space."
      : `INFO 08-01 12:00:00 [metrics.py:100] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: ${900 + (i % 7)}.5 tokens/s, Running: 3 reqs, GPU KV cache usage: 99.9%`,
  ).join("\n");
  const text = `${block}\n`;
  for (let written = 0; written < logMb * 1e6; written += Buffer.byteLength(text)) writeSync(fd, text);
  closeSync(fd);
}

function doctor(checkout, file) {
  const start = process.hrtime.bigint();
  const run = spawnSync(
    "/usr/bin/time",
    ["-f", "%M", process.execPath, join(checkout, "packages/inference-runner/bin/sweval-run.js"), "doctor", file, "--json"],
    {
      maxBuffer: 1 << 26,
      encoding: "utf8",
    },
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rssMb = Number(run.stderr.trim().split("\n").at(-1)) / 1024;
  return {
    seconds,
    rssMb,
    ok: run.status === 0,
    finding:
      run.status === 0
        ? JSON.parse(run.stdout)
            .findings.map((f) => f.id)
            .join(",")
        : run.stderr.trim().split("\n")[0],
  };
}

const ledger = join(work, "ledger.jsonl");
console.log(`status on a ledger of ${lines} lines (${lines / 10} cells × 10 submissions; stand-in qstat/qacct)`);
console.log("| checkout | run | seconds | scheduler calls |");
console.log("|---|---|---:|---:|");
for (const checkout of checkouts) {
  writeLedger(ledger);
  const cold = status(checkout, ledger);
  const warm = status(checkout, ledger);
  console.log(`| ${checkout} | cold | ${cold.seconds.toFixed(1)} | ${cold.calls} |`);
  console.log(`| ${checkout} | warm (second status) | ${warm.seconds.toFixed(1)} | ${warm.calls} |`);
}
const vllmLog = join(work, "huge.vllm1");
writeVllmLog(vllmLog);
console.log(`\ndoctor on a ${logMb} MB vLLM log`);
console.log("| checkout | seconds | max RSS MB | findings |");
console.log("|---|---:|---:|---|");
for (const checkout of checkouts) {
  const result = doctor(checkout, vllmLog);
  console.log(
    `| ${checkout} | ${result.seconds.toFixed(1)} | ${result.rssMb.toFixed(0)} | ${result.ok ? result.finding : `failed: ${result.finding}`} |`,
  );
}
rmSync(work, { recursive: true, force: true });
