import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderJobs, writeJobs } from "@sweval/job-renderer";
import { resolvePlan } from "@sweval/settings-resolver";
import { repoRoot, runBin, testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { EstimateSchema, estimateManifest, renderEstimate } from "../src/index.js";

const MODEL = "tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5";
const bin = join(repoRoot, "packages/pbs-client/bin/sweval-pbs.js");

/** One job of the cluster, with the walltime and priority the hand calculation uses. */
async function oneJob(cluster: string, nodeKind: string, walltimeSeconds: number, priority?: number) {
  // A CPU kind serves no vLLM: an API model runs there.
  const api = nodeKind.startsWith("cpu") ? { provider: "openai" as const, model: "openai/gpt-4o-2024-08-06" } : { model: MODEL };
  const plan = await resolvePlan({
    ...api,
    cluster,
    nodeKind,
    tasks: ["ja_gpqa"],
    root: repoRoot,
    repoPath: "/repo",
    offline: true,
    env: {},
  });
  const { manifest } = renderJobs({ plans: [plan], outDir: await testdir(), group: "g0", priority });
  const [job] = manifest.jobs;
  return { ...manifest, jobs: job ? [{ ...job, walltimeSeconds }] : [] };
}

describe("sweval-pbs estimate: the site's formula, checked against values worked by hand (tsubame-costs.md §2, §4)", () => {
  it.each([
    // node_q 0.25/h, x1, h_rt 2 h: held = worst = 0.25 × 0.8 × 2; least = 0.25 × (0.7 × 300/3600 + 0.1 × 2) = 0.0645833…
    ["tsubame4", "node_q", 7200, -5, { held: 0.4, least: 0.0645, expected: 0.4, worst: 0.4 }],
    // node_h 0.5/h, -4 = x2, h_rt 24 h: worst = 1.0 × 0.8 × 24; least = 1.0 × (0.0583333 + 2.4)
    ["tsubame4", "node_h", 86_400, -4, { held: 19.2, least: 2.4583, worst: 19.2 }],
    // node_f 1.0/h, -3 = x4, h_rt 30 min: worst = 4 × 0.8 × 0.5; least = 4 × (0.0583333 + 0.05) = 0.4333…
    ["tsubame4", "node_f", 1800, -3, { held: 1.6, least: 0.4333, worst: 1.6 }],
    // ABCI rt_HG 1.5/h, 1 h: the limit held and charged at most; 1.8 s at least = 0.00075
    ["abci3", "rt_HG", 3600, undefined, { held: 1.5, least: 0.0007, expected: 1.5, worst: 1.5 }],
  ] as const)("%s %s, %d s, priority %s", async (cluster, nodeKind, seconds, priority, expected) => {
    const estimate = estimateManifest(await oneJob(cluster, nodeKind, seconds, priority));
    expect(estimate.jobs[0]).toMatchObject(expected);
    expect(estimate.total).toMatchObject(expected);
    expect(estimate.confirmed).toBe(false);
  });

  it("prints a table by default and the sweval/estimate document with --json; a cluster without costs exits 2", async () => {
    const dir = await testdir();
    const manifest = await oneJob("tsubame4", "cpu_4", 3600);
    writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
    const table = await runBin(bin, ["estimate", "--manifest", join(dir, "manifest.json")]);
    expect(table.exitCode, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^job +kind +x +h_rt h +held +least +expected +worst$/m);
    expect(table.stdout).toMatch(/\* no run history for the job: expected assumes it runs its whole walltime/);
    expect(table.stdout).toMatch(/cpu_4\? /);
    expect(table.stdout).toMatch(/not confirmed by the operator; \? marks a guessed coefficient/);
    expect(table.stderr).toMatch(/1 job\(s\) on tsubame4: 0\.012 points held at submission, 0\.0023–0\.012 charged, 0\.012 expected/);
    const json = await runBin(bin, ["estimate", "--manifest", join(dir, "manifest.json"), "--json"]);
    expect(EstimateSchema.parse(JSON.parse(json.stdout)).jobs[0]).toMatchObject({ nodeKind: "cpu_4", guessed: true });
    writeFileSync(join(dir, "local.json"), JSON.stringify(await oneJob("local", "gpu_1", 3600)));
    const local = await runBin(bin, ["estimate", "--manifest", join(dir, "local.json")]);
    expect([local.exitCode, local.stdout]).toEqual([2, ""]);
    expect(local.stderr).toMatch(/cluster local states no charging formula/);
  });
});

describe("expected points from the run history, and the saving of learned walltimes", () => {
  it("charges the expected run time (its 5-minute floor too) and shows the static column's worst case beside it", async () => {
    const manifest = await oneJob("tsubame4", "node_q", 3600);
    const [job] = manifest.jobs;
    if (!job) throw new Error("no job");
    const learned = (expectedSeconds: number) => ({
      ...manifest,
      jobs: [{ ...job, walltimeFrom: { source: "learned" as const, staticSeconds: 7200, samples: 5, timeouts: 0, expectedSeconds } }],
    });
    // node_q 0.25/h, h_rt 1 h, ran 30 min: 0.25 × (0.7 × 0.5 + 0.1 × 1) = 0.1125; worst 0.25 × 0.8 = 0.2; static 2 h: 0.4.
    const half = estimateManifest(learned(1800));
    expect(half.jobs[0]).toMatchObject({ expected: 0.1125, worst: 0.2, staticWorst: 0.4, expectedSeconds: 1800 });
    expect(half.total).toMatchObject({ expected: 0.1125, worst: 0.2, held: 0.2, staticWorst: 0.4, staticHeld: 0.4 });
    // Ran 1 min: the 5-minute floor, 0.25 × (0.7 × 300/3600 + 0.1) = 0.0395833…
    expect(estimateManifest(learned(60)).jobs[0]?.expected).toBe(0.0395);
    expect(renderEstimate(half)).toMatch(
      /learned walltimes: 0\.2 points at worst and 0\.2 held, against 0\.4 and 0\.4 with tasks_runtime\.csv's \(0\.2 fewer\)/,
    );
  });
});

/** A rendered (written) manifest of an API model on TSUBAME's cpu_16, and files for the estimate's inputs. */
async function apiProject(tasks: string[]) {
  const dir = await testdir();
  const plan = await resolvePlan({
    provider: "openai",
    model: "openai/gpt-4o-2024-08-06",
    cluster: "tsubame4",
    nodeKind: "cpu_16",
    tasks,
    root: repoRoot,
    repoPath: dir,
    offline: true,
    env: {},
  });
  const { manifest, files } = renderJobs({ plans: [plan], outDir: join(dir, "jobs"), group: "tga-test" });
  await writeJobs(join(dir, "jobs"), files);
  writeFileSync(join(dir, "jobs/manifest.json"), JSON.stringify(manifest));
  writeFileSync(
    join(dir, "prices.yaml"),
    "currency: USD\nmodels:\n  openai/gpt-4o-2024-08-06: { input: 2.5, output: 10, asOf: '2026-12-01', confirmed: false }\n",
  );
  writeFileSync(
    join(dir, "samples.yaml"),
    [
      "defaultMaxNewTokens: 1000",
      "tasks:",
      "  swallow_gpqa_ja: { documents: 198, promptTokens: 500, confirmed: false }",
      "  japanese_mt_bench:",
      "    { documents: 80, turns: 2, samples: 5, promptTokens: 600, confirmed: false,",
      "      judge: { model: openai/gpt-4o-2024-08-06, callsPerSample: 1, inputTokens: 2000, outputTokens: 400 } }",
      "",
    ].join("\n"),
  );
  // Stand-ins on PATH: a qsub that records being called, and TSUBAME's balance command.
  mkdirSync(join(dir, "bin"));
  writeFileSync(join(dir, "bin/qsub"), `#!/bin/sh\ntouch "${dir}/qsub-called"\necho 'Your job 1 ("x") has been submitted'\n`);
  chmodSync(join(dir, "bin/qsub"), 0o755);
  const env = {
    ...process.env,
    PATH: `${join(dir, "bin")}:${process.env.PATH}`,
    SWEVAL_TASK_SAMPLES: join(dir, "samples.yaml"),
    REPO_PATH: dir,
  };
  const balance = (points: string) => {
    writeFileSync(
      join(dir, "bin/t4-user-info"),
      `#!/bin/sh\n[ "$*" = "group point -g tga-test" ] || exit 3\nprintf 'gid    group_name  deposit  balance\\n123456 tga-other 0 9999\\n123457 tga-test  0.0 ${points}\\n'\n`,
    );
    chmodSync(join(dir, "bin/t4-user-info"), 0o755);
  };
  const pbs = (args: string[]) =>
    runBin(bin, [...args, "--manifest", join(dir, "jobs/manifest.json"), "--prices", join(dir, "prices.yaml")], { cwd: dir, env });
  return { dir, env, pbs, balance, qsubCalled: () => existsSync(join(dir, "qsub-called")) };
}

describe("the API estimate: calls, tokens and money, with what they rest on", () => {
  it("counts the model's calls and the MT-Bench judge's, priced from the team's file (worked by hand)", async () => {
    const p = await apiProject(["ja_gpqa", "ja_mtbench"]);
    const result = await p.pbs(["estimate", "--json"]);
    expect(result.exitCode, result.stderr).toBe(0);
    const api = EstimateSchema.parse(JSON.parse(result.stdout)).api;
    // gpqa: 198 calls, 198 × 500 in, 198 × 1000 out: 0.2475 + 1.98 = 2.23 (rounded to cents).
    // MT-Bench: 80 × 2 = 160 calls, 96,000 in, 160 × 5 × 1000 = 800,000 out: 0.24 + 8 = 8.24.
    // Its judge: 80 × 2 × 5 = 800 calls, 1,600,000 in, 320,000 out: 4 + 3.2 = 7.2. Total 17.67.
    expect(api?.calls.map((c) => [c.task, c.role, c.calls, c.inputTokens, c.outputTokens, c.cost])).toEqual([
      ["ja_gpqa", "model", 198, 99_000, 198_000, 2.23],
      ["ja_mtbench", "model", 160, 96_000, 800_000, 8.24],
      ["ja_mtbench", "judge", 800, 1_600_000, 320_000, 7.2],
    ]);
    expect(api?.total).toEqual({ calls: 1158, inputTokens: 1_795_000, outputTokens: 1_318_000, cost: 17.67 });
    expect(api?.calls[0]?.inputs).toMatchObject({ documents: 198, samples: 1, turns: 1, maxNewTokens: 1000, maxNewTokensFrom: "default" });
    const table = await p.pbs(["estimate"]);
    expect(table.stdout).toMatch(/^total +1158 +1795000 +1318000 +17\.67$/m);
    expect(table.stdout).toMatch(/API calls \(an estimate: documents × samples × turns × max_new_tokens/);
    expect(table.stderr).toMatch(/API about 17\.67 USD \(1158 calls\)/);
  });
});

describe("the budget stop: a plan over the limit or the group's balance submits nothing", () => {
  it("refuses above --max-points and --max-cost (exit 1, the estimate shown, qsub never run)", async () => {
    const p = await apiProject(["ja_gpqa"]);
    p.balance("500");
    // cpu_16 0.06/h × 0.8 × 2 h = 0.096 points held.
    const points = await p.pbs(["submit", "--max-points", "0.05"]);
    expect(points.exitCode).toBe(1);
    expect(points.stdout).toBe("");
    expect(points.stderr).toMatch(/refused: the plan holds 0\.096 points at submission, above the limit of 0\.05/);
    expect(points.stderr).toMatch(/^job +kind/m);
    expect(points.stderr).toMatch(/nothing submitted/);
    const cost = await p.pbs(["submit", "--max-cost", "2"]);
    expect(cost.exitCode).toBe(1);
    expect(cost.stderr).toMatch(/refused: the plan's API calls come to about 2\.23 USD, above the limit of 2/);
    expect(p.qsubCalled()).toBe(false);
    expect(existsSync(join(p.dir, "results/.sweval/ledger.jsonl"))).toBe(false);
    // Within the limits it submits, after one estimate line.
    const ok = await p.pbs(["submit", "--max-points", "1", "--max-cost", "5"]);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/estimate: 1 job\(s\) on tsubame4: 0\.096 points held at submission/);
    expect(p.qsubCalled()).toBe(true);
  });

  it("reads the limits from .env too", async () => {
    const p = await apiProject(["ja_gpqa"]);
    writeFileSync(join(p.dir, ".env"), "SWEVAL_MAX_COST=1.5\n");
    const refused = await p.pbs(["submit"]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/above the limit of 1\.5 \(--max-cost \/ SWEVAL_MAX_COST\)/);
    writeFileSync(join(p.dir, ".env"), "SWEVAL_MAX_POINTS=lots\n");
    const bad = await p.pbs(["submit"]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/SWEVAL_MAX_POINTS must be a number of points, got "lots"/);
    expect(p.qsubCalled()).toBe(false);
  });

  it("reads the group's balance with t4-user-info and refuses a plan it cannot hold", async () => {
    const p = await apiProject(["ja_gpqa"]);
    p.balance("0.05");
    const refused = await p.pbs(["submit"]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(
      /refused: the plan holds 0\.096 points at submission; group tga-test has 0\.05 left \(from t4-user-info group point -g tga-test\)/,
    );
    expect(p.qsubCalled()).toBe(false);
    p.balance("12.5");
    const ok = await p.pbs(["submit"]);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/group tga-test has 12\.5 points; the plan holds 0\.096/);
    // Off the login node (no t4-user-info) the balance is not checked, and the log says so.
    const offNode = await apiProject(["ja_gpqa"]);
    const submitted = await offNode.pbs(["submit", "--dry-run"]);
    expect(submitted.stderr).toMatch(/balance not checked: t4-user-info is not on this node/);
  });
});

describe("--layout auto beside the legacy layout", () => {
  it("shows the legacy sizing guide's points for the same tasks (one job per task, static walltimes)", async () => {
    const dir = await testdir();
    // 8B: gpu_1 (0.2/h, hrt_q 30 min) against the legacy node_q (0.25/h, hrt_q 30 min).
    const plan = await resolvePlan({
      model: "org/Model-8B",
      cluster: "tsubame4",
      layout: "auto",
      tasks: ["ja_gpqa", "ja_mmlu"],
      root: repoRoot,
      repoPath: dir,
      offline: true,
      env: {},
    });
    const { manifest, files } = renderJobs({ plans: [plan], outDir: join(dir, "jobs"), group: "tga-test", pack: true });
    await writeJobs(join(dir, "jobs"), files);
    writeFileSync(join(dir, "jobs/manifest.json"), JSON.stringify(manifest));
    const result = await runBin(bin, ["estimate", "--manifest", join(dir, "jobs/manifest.json"), "--json"], { cwd: dir });
    const estimate = EstimateSchema.parse(JSON.parse(result.stdout));
    // Packed: one gpu_1 job of 30 + 60 min: 0.2 × 0.8 × 1.5 = 0.24. Legacy: node_q 0.25 × 0.8 × (0.5 + 1) = 0.3, in 2 jobs.
    expect(estimate.jobs.map((job) => [job.nodeKind, job.walltimeSeconds])).toEqual([["gpu_1", 5400]]);
    expect(estimate.total.held).toBe(0.24);
    expect(estimate.legacy).toEqual({ layouts: ["node_q, tensor-parallel 1"], jobs: 2, held: 0.3, worst: 0.3 });
    const table = await runBin(bin, ["estimate", "--manifest", join(dir, "jobs/manifest.json")], { cwd: dir });
    expect(table.stdout).toMatch(
      /legacy layout \(node_q, tensor-parallel 1; 2 jobs, one per task, static walltimes\): 0\.3 points held, 0\.3 at worst; this plan: 0\.24 and 0\.24/,
    );
  });
});
