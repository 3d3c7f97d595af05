import { spawnSync } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { processesIn, repoRoot, runBin, testdir, waitForNoProcessesIn } from "@sweval/test-utils";
import { expect } from "vitest";
import type { StatusBoard } from "../src/index.js";

export const pbsBin = join(repoRoot, "packages/pbs-client/bin/sweval-pbs.js");
const resolveBin = join(repoRoot, "packages/settings-resolver/bin/sweval-resolve.js");
const renderBin = join(repoRoot, "packages/job-renderer/bin/sweval-render.js");

/** Tasks whose stand-in runner behaves as named: done, fails with a traceback, outlives its walltime… */
const TASKS = [
  ["t_ok", "task_ok", "00:01:00"],
  ["t_fail", "task_fail", "00:01:00"],
  ["t_warn", "task_warn", "00:01:00"],
  ["t_slow", "task_slow", "00:00:04"],
  ["t_long", "task_long", "00:05:00"],
  ["t_wait", "task_wait", "00:01:00"],
  ["t_nap", "task_nap", "02:00:00"],
] as const;

/** The stand-in for sweval-aggregate the aggregation jobs exec: it records when it ran. */
const FAKE_AGGREGATE = `#!/bin/bash
echo "fake sweval-aggregate $* at $(date +%s%N)"
echo "✅ Result aggregation was successfully done."
`;

/** The stand-in for sweval-run the job scripts exec (named in .env, which the jobs source at run time). */
const FAKE_RUN = `#!/bin/bash
task="$4"
echo "fake sweval-run $* on $(hostname) JOB_ID=$JOB_ID CUDA_VISIBLE_DEVICES=\${CUDA_VISIBLE_DEVICES:-unset}"
case "$task" in
  t_ok) echo "✅ Result aggregation was successfully done." ;;
  t_fail) echo "Traceback (most recent call last):" >&2; echo "ValueError: boom" >&2; exit 3 ;;
  t_warn) echo "Traceback (most recent call last):" >&2; echo "✅ Result aggregation was successfully done." ;;
  t_slow) sleep 60 ;;
  t_long) sleep 300 ;;
  t_wait) sleep 4; echo "ended at $(date +%s%N)"; echo "✅ Result aggregation was successfully done." ;;
  t_nap) sleep "$(cat "$(dirname "$0")/nap" 2>/dev/null || echo 1)"; echo "✅ Result aggregation was successfully done." ;;
esac
`;

export interface Project {
  root: string;
  env: NodeJS.ProcessEnv;
  ledger: string;
  /** resolve | render for these tasks on this cluster profile; returns the manifest text. */
  render(cluster: string, tasks: string[], extra?: string[], renderArgs?: string[]): Promise<string>;
  pbs(args: string[], stdin?: string): ReturnType<typeof runBin>;
  status(): Promise<StatusBoard>;
  /** Polls the board until every listed task is in one of the states, or fails after the timeout. */
  waitFor(tasks: Record<string, string[]>, timeoutMs?: number): Promise<StatusBoard>;
}

/** A project dir with its own conf (cluster profiles for the test schedulers), a .env and the stand-in runner. */
export async function project(options: { binDir?: string } = {}): Promise<Project> {
  const root = await testdir({
    "conf/tasks_runtime.csv": `key,script,result_dir,framework,hrt_q,hrt_f,wlt_HG,wlt_HF\n${TASKS.map(([key, script, hrt]) => `${key},${script},${key.replace("_", "/")},lighteval,${hrt},${hrt},${hrt},${hrt}`).join("\n")}\n`,
    "generation_settings/task_settings.csv": `key,generation_settings\n${TASKS.map(([, script]) => `${script},"temperature=0.0"`).join("\n")}\n`,
    "conf/clusters/sge-test.yaml": [
      "name: sge-test",
      "description: the CI's Son of Grid Engine, TSUBAME-style (-g GROUP, -l node_q=1, priorities)",
      "scheduler: grid-engine",
      "legacyService: tsubame",
      "defaultNodeKind: node_q",
      'group: { env: TSUBAME_GROUP, flag: "-g" }',
      "priorities: [{ value: -5, costFactor: 1 }, { value: -4, costFactor: 2 }]",
      "nodeKinds:",
      '  node_q: { gpus: 1, walltimeColumn: hrt_q, resource: "node_q=1" }',
      '  cpu_4: { gpus: 0, walltimeColumn: hrt_f, resource: "cpu_4=1" }',
      "sources: [tests]",
    ].join("\n"),
    "conf/clusters/slurm-test.yaml": [
      "name: slurm-test",
      "description: the CI's Slurm (no GPUs configured)",
      "scheduler: slurm",
      "legacyService: local",
      "defaultNodeKind: cpu",
      "group: null",
      "priorities: []",
      "nodeKinds:",
      '  cpu: { gpus: 0, walltimeColumn: hrt_f, resource: "" }',
      "sources: [tests]",
    ].join("\n"),
    "fake-run.sh": FAKE_RUN,
    "fake-aggregate.sh": FAKE_AGGREGATE,
  });
  chmodSync(join(root, "fake-run.sh"), 0o755);
  chmodSync(join(root, "fake-aggregate.sh"), 0o755);
  writeFileSync(
    join(root, ".env"),
    `SWEVAL_RUN="${root}/fake-run.sh"\nSWEVAL_AGGREGATE="${root}/fake-aggregate.sh"\nTSUBAME_GROUP="tga-test"\n`,
  );
  const env: NodeJS.ProcessEnv = {
    HOME: root,
    PATH: `${options.binDir ? `${options.binDir}:` : ""}${process.env.PATH}`,
    SWEVAL_LOCAL_STATE_DIR: join(root, "local-state"),
    SWEVAL_LOCAL_DEVICES: "0,1",
    TSUBAME_GROUP: "tga-test",
    REPO_PATH: root,
    SWEVAL_LEDGER: "",
  };
  const ledger = join(root, "results/.sweval/ledger.jsonl");
  const pbs = (args: string[], stdin?: string) => runBin(pbsBin, args, { cwd: root, env, stdin });
  const status = async () => {
    const result = await pbs(["status", "--json"]);
    expect(result.stderr).not.toMatch(/error/);
    return JSON.parse(result.stdout) as StatusBoard;
  };
  return {
    root,
    env,
    ledger,
    async render(cluster, tasks, extra = [], renderArgs = []) {
      const nodeKind =
        cluster === "sge-test"
          ? ["--node-kind", "cpu_4", "--provider", "openai", "--model", "openai/test-model"]
          : ["--model", "org/test-model", ...(cluster === "slurm-test" ? ["--provider", "deepinfra"] : [])];
      const resolved = await runBin(
        resolveBin,
        ["--cluster", cluster, ...nodeKind, "--tasks", tasks.join(","), "--offline", "-q", ...extra],
        { cwd: root, env },
      );
      expect(resolved.stderr).toBe("");
      const rendered = await runBin(renderBin, ["--out", "jobs", ...renderArgs], { cwd: root, env, stdin: resolved.stdout });
      expect(rendered.exitCode).toBe(0);
      return rendered.stdout;
    },
    pbs,
    status,
    async waitFor(expected, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const board = await status();
        const ok = Object.entries(expected).every(([task, states]) =>
          states.includes(board.cells.find((cell) => cell.task === task)?.state ?? "absent"),
        );
        if (ok) return board;
        if (Date.now() > deadline)
          throw new Error(
            `timed out waiting for ${JSON.stringify(expected)}; board: ${JSON.stringify(board.cells.map((c) => [c.task, c.state, c.reason]))}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 700));
      }
    },
  };
}

/**
 * Submits t_ok and t_wait with the aggregation job the renderer adds, waits until all three are done, and
 * checks from the logs that the aggregation started only after t_wait ended (its dependency held it).
 */
export async function expectAggregationAfterOthers(p: Project, cluster: string): Promise<void> {
  const manifest = JSON.parse(await p.render(cluster, ["t_ok", "t_wait"], [], ["--then-aggregate"]));
  expect(manifest.jobs.map((job: { name: string }) => job.name)).toEqual(["t_ok", "t_wait", "aggregate"]);
  expect(manifest.jobs[2].after).toEqual([manifest.jobs[0].id, manifest.jobs[1].id]);
  const submitted = await p.pbs(["submit"], JSON.stringify(manifest));
  expect(submitted.stderr).toMatch(/3 submitted, 0 skipped, 0 failed/);
  const outcomes = JSON.parse(submitted.stdout).outcomes;
  expect(submitted.stderr).toContain(
    `submitted aggregate (${manifest.jobs[2].model}) as job ${outcomes[2].jobId}, after ${outcomes[0].jobId}, ${outcomes[1].jobId}`,
  );
  const board = await p.waitFor({ t_ok: ["done"], t_wait: ["done"], aggregate: ["done"] }, 120_000);
  const log = (task: string) => readFileSync(board.cells.find((c) => c.task === task)?.stdout ?? "", "utf8");
  const ended = Number(/ended at (\d+)/.exec(log("t_wait"))?.[1]);
  const aggregated = Number(/fake sweval-aggregate .* at (\d+)/.exec(log("aggregate"))?.[1]);
  expect(aggregated).toBeGreaterThan(ended);
  expect(log("aggregate")).toMatch(/--model-name \S+ --raw-results-dir /);
}

const realRunBin = join(repoRoot, "packages/inference-runner/bin/sweval-run.js");

/**
 * Points the project's jobs at the real sweval-run, rehearsing with a lighteval stand-in that hangs, submits
 * one task, waits until its vLLM stand-in and lighteval run, ends the job with `end` (cancel, or its walltime),
 * and checks that nothing the job started is left running: on a real node a leftover server holds the GPU.
 */
export async function expectJobLeavesNoProcess(p: Project, cluster: string, task: "t_long" | "t_slow", end: () => Promise<void>) {
  const wrapper = join(p.root, "real-run.sh");
  writeFileSync(wrapper, `#!/bin/bash\nexec "${process.execPath}" "${realRunBin}" "$@"\n`);
  chmodSync(wrapper, 0o755);
  writeFileSync(
    join(p.root, ".env"),
    `SWEVAL_RUN="${wrapper}"\nTSUBAME_GROUP="tga-test"\nSWEVAL_REHEARSE_LIGHTEVAL_MODE=hang\nSWEVAL_STOP_GRACE_MS=2000\n`,
  );
  const submitted = await p.pbs(["submit"], await p.render(cluster, [task], [], ["--rehearse"]));
  expect(submitted.stderr).toMatch(/1 submitted/);
  const deadline = Date.now() + 60_000;
  const started = () => {
    const running = processesIn(p.root).join("\n");
    return running.includes("rehearse/server.js") && running.includes("rehearse/lighteval.js");
  };
  while (!started() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 300));
  expect(started(), `the job's server and lighteval never ran; in ${p.root}: ${processesIn(p.root).join("; ")}`).toBe(true);
  await end();
  expect(await waitForNoProcessesIn(p.root, 40_000)).toEqual([]);
}

/** Whether a scheduler's client answers here (the integration tests skip with a reason otherwise). */
export function schedulerUp(command: string[]): boolean {
  return spawnSync(command[0] as string, command.slice(1), { stdio: "ignore", timeout: 10_000 }).status === 0;
}
