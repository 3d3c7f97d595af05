import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fingerprintPlan, type ResolvePlanOptions, resolvePlan } from "@sweval/settings-resolver";
import { repoRoot, swallowCheckout, testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { groupFromEnvironment, type RenderJobsOptions, renderJobs, writeJobs } from "../src/index.js";

const MODEL = "tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5";

interface Case {
  name: string;
  plan: Partial<ResolvePlanOptions>;
  render?: Partial<RenderJobsOptions>;
}

/** Where a group's shared install would put them (resolveJobTools finds the real ones; these keep the goldens stable). */
const TOOLS = {
  node: "/gs/fs/tga-example/sweval/bin/node",
  run: "/gs/fs/tga-example/sweval/lib/node_modules/@sweval/cli/node_modules/@sweval/inference-runner/bin/sweval-run.js",
  aggregate: "/gs/fs/tga-example/sweval/lib/node_modules/@sweval/cli/node_modules/@sweval/aggregator/bin/sweval-aggregate.js",
};

const CASES: Case[] = [
  {
    name: "tsubame4-node_q",
    plan: { cluster: "tsubame4", nodeKind: "node_q", customSettings: "default" },
    render: { group: "tga-example" },
  },
  { name: "tsubame4-node_f-priority-4", plan: { cluster: "tsubame4", nodeKind: "node_f" }, render: { group: "tga-example", priority: -4 } },
  {
    name: "tsubame4-legacy",
    plan: { cluster: "tsubame4", nodeKind: "node_q", customSettings: "default", maxSamples: 10 },
    render: { group: "tga-example", jobCommand: "legacy" },
  },
  {
    name: "tsubame4-openai",
    plan: { cluster: "tsubame4", nodeKind: "cpu_16", provider: "openai", model: "openai/o3-mini-2025-01-31" },
    render: { group: "tga-example" },
  },
  { name: "abci3-rt_HG", plan: { cluster: "abci3", nodeKind: "rt_HG", customSettings: "default" }, render: { group: "gag00000" } },
  { name: "abci3-legacy", plan: { cluster: "abci3", nodeKind: "rt_HF" }, render: { group: "gag00000", jobCommand: "legacy" } },
  { name: "slurm-gpu_1", plan: { cluster: "slurm", nodeKind: "gpu_1", customSettings: "default" } },
  { name: "local-gpu_1", plan: { cluster: "local", nodeKind: "gpu_1", customSettings: "default" } },
  { name: "local-legacy", plan: { cluster: "local", nodeKind: "gpu_2" }, render: { jobCommand: "legacy" } },
  {
    name: "tsubame4-then-aggregate",
    plan: { cluster: "tsubame4", nodeKind: "node_q", customSettings: "default" },
    render: { group: "tga-example", thenAggregate: true },
  },
  { name: "abci3-then-aggregate", plan: { cluster: "abci3", nodeKind: "rt_HG" }, render: { group: "gag00000", thenAggregate: true } },
  { name: "slurm-then-aggregate", plan: { cluster: "slurm", nodeKind: "gpu_1" }, render: { thenAggregate: true, rehearse: true } },
  // No install found beside the renderer: the job looks on PATH, as before tools were recorded.
  {
    name: "tsubame4-on-path",
    plan: { cluster: "tsubame4", nodeKind: "node_q", customSettings: "default" },
    render: { group: "tga-example", tools: null, thenAggregate: true },
  },
];

async function render(testCase: Case, env: NodeJS.ProcessEnv = {}) {
  const outDir = await testdir();
  const plan = await resolvePlan({
    model: MODEL,
    root: repoRoot,
    repoPath: "/repo",
    tasks: ["ja_gpqa", "en_math_500"],
    offline: true,
    // A fixed, empty home keeps the deferral reason (which names the cache dirs) stable.
    env: { HOME: "/nonexistent-home" },
    ...testCase.plan,
  });
  const plans = [plan];
  const group = await groupFromEnvironment(plan, testCase.render?.group, env);
  const result = renderJobs({ plans, outDir, tools: TOOLS, ...testCase.render, group });
  return { ...result, outDir };
}

function sanitize(text: string, outDir: string): string {
  return text.replaceAll(outDir, "<out>").replaceAll(repoRoot, "<root>");
}

describe("job scripts per dialect", () => {
  it.each(CASES)("$name matches its golden files", async (testCase) => {
    const { manifest, files, outDir } = await render(testCase);
    await expect(sanitize(JSON.stringify(manifest, null, 2), outDir)).toMatchFileSnapshot(`golden/${testCase.name}/manifest.json`);
    const script = files.find((f) => f.path.endsWith("/ja_gpqa.sh"));
    await expect(sanitize(script?.content ?? "", outDir)).toMatchFileSnapshot(`golden/${testCase.name}/ja_gpqa.sh`);
    const aggregation = files.find((f) => f.path.endsWith("/aggregate.sh"));
    expect(Boolean(aggregation)).toBe(Boolean(testCase.render?.thenAggregate));
    if (aggregation) await expect(sanitize(aggregation.content, outDir)).toMatchFileSnapshot(`golden/${testCase.name}/aggregate.sh`);
  });

  it("makes the aggregation a job of the graph: after every job of its plan, its script written with the others", async () => {
    const { manifest, files } = await render(CASES.find((c) => c.name === "tsubame4-then-aggregate") as Case);
    const aggregation = manifest.jobs.at(-1);
    expect(aggregation).toMatchObject({ name: "aggregate", tasks: ["aggregate"], walltime: "00:10:00" });
    expect(aggregation?.after).toEqual(manifest.jobs.slice(0, -1).map((job) => job.id));
    expect(aggregation?.submit.argv).toEqual([
      "qsub",
      "-g",
      "tga-example",
      "-l",
      "node_q=1",
      "-p",
      "-5",
      "-N",
      "aggregate",
      "-l",
      "h_rt=00:10:00",
      "-o",
      `/repo/results/hosted_vllm/${MODEL}/default`,
      "-e",
      `/repo/results/hosted_vllm/${MODEL}/default`,
      aggregation?.script,
    ]);
    expect(files.map((f) => f.path)).toContain(aggregation?.script);
    expect(new Set(manifest.jobs.map((job) => job.id)).size).toBe(manifest.jobs.length);
  });

  it("covers the cluster's facts by the plan fingerprint: an edited setup line makes another plan", async () => {
    const { manifest } = await render(CASES[0] as Case);
    const plan = await resolvePlan({
      model: MODEL,
      root: repoRoot,
      repoPath: "/repo",
      tasks: ["ja_gpqa", "en_math_500"],
      offline: true,
      env: { HOME: "/nonexistent-home" },
      cluster: "tsubame4",
      nodeKind: "node_q",
      customSettings: "default",
    });
    expect(plan.fingerprint).toBe(manifest.jobs[0]?.planFingerprint);
    const edited = { ...plan, cluster: { ...plan.cluster, setup: [...plan.cluster.setup, "module load cuda/12.8"] } };
    expect(fingerprintPlan(edited)).not.toBe(plan.fingerprint);
    expect(fingerprintPlan({ ...plan, paths: { ...plan.paths, repoPath: "/elsewhere" } })).toBe(plan.fingerprint);
  });

  it.each(CASES)("$name renders the same bytes twice", async (testCase) => {
    const a = await render(testCase);
    const b = await render(testCase);
    expect(sanitize(a.files.map((f) => f.content).join("\n"), a.outDir)).toBe(sanitize(b.files.map((f) => f.content).join("\n"), b.outDir));
  });

  it("passes bash -n for every dialect", async () => {
    for (const testCase of CASES) {
      const { files, outDir } = await render(testCase);
      await writeJobs(outDir, files);
      for (const file of files.filter((f) => f.path.endsWith(".sh"))) {
        const check = spawnSync("bash", ["-n", file.path], { encoding: "utf8" });
        expect(check.stderr, `${testCase.name}: ${file.path}`).toBe("");
        expect(check.status).toBe(0);
      }
    }
  });

  const shellcheck = spawnSync("shellcheck", ["--version"]).status === 0;
  it.skipIf(!shellcheck && !process.env.CI)(
    shellcheck ? "passes shellcheck for every dialect" : "passes shellcheck (skipped: shellcheck is not installed; .ci/run installs it)",
    async () => {
      const paths: string[] = [];
      for (const testCase of CASES) {
        const { files, outDir } = await render(testCase);
        await writeJobs(outDir, files);
        paths.push(...files.filter((f) => f.path.endsWith(".sh")).map((f) => f.path));
      }
      expect(() => execFileSync("shellcheck", ["--severity=style", ...paths], { encoding: "utf8" })).not.toThrow();
    },
  );

  it("never writes a secret from the environment or .env into scripts, plans or the manifest", async () => {
    const planted = {
      OPENAI_API_KEY: "sk-planted-openai-0001",
      HF_TOKEN: "hf_planted_token_0002",
      DEEPINFRA_API_KEY: "planted-deepinfra-0003",
    };
    const repo = await testdir({
      ".env":
        Object.entries(planted)
          .map(([k, v]) => `${k}="${v}"`)
          .join("\n") + '\nTSUBAME_GROUP="tga-from-dotenv"\n',
    });
    for (const testCase of CASES) {
      const { manifest, files } = await render(
        { ...testCase, plan: { ...testCase.plan, repoPath: repo }, render: { ...testCase.render, group: undefined } },
        {
          ...planted,
          ABCI_GROUP: "gag00000",
        },
      );
      const everything = JSON.stringify(manifest) + files.map((f) => f.content).join("\n");
      for (const secret of Object.values(planted)) expect(everything).not.toContain(secret);
      if (testCase.plan.cluster === "tsubame4")
        expect(manifest.jobs[0]?.submit.argv.slice(0, 3)).toEqual(["qsub", "-g", "tga-from-dotenv"]);
    }
  });

  it("keeps each job's log paths in the legacy naming the status tools read", async () => {
    const { manifest } = await render(CASES[0] as Case);
    const job = manifest.jobs[0];
    expect(job?.stdout).toBe(`/repo/results/hosted_vllm/${MODEL}/default/ja/gpqa/ja_gpqa.o{jobId}`);
    expect(job?.stderr).toBe(`/repo/results/hosted_vllm/${MODEL}/default/ja/gpqa/ja_gpqa.e{jobId}`);
  });
});

describe("the legacy job command", () => {
  it("calls evaluate_lighteval.sh with qsub_all.sh's exact flags", async () => {
    const { files } = await render(CASES[2] as Case);
    const script = files.find((f) => f.path.endsWith("/ja_gpqa.sh"))?.content ?? "";
    expect(script.trimEnd().split("\n").at(-1)).toBe(
      `exec bash /repo/scripts/qsub/evaluate_lighteval.sh --task-name swallow_gpqa_ja --node-kind node_q --provider vllm --model-name ${MODEL} --repo-path /repo --service tsubame --custom-settings default --max-samples 10`,
    );
  });

  it("passes --stdout-stderr-dir and the job id on local, as qsub_all.sh does", async () => {
    const { files } = await render(CASES[8] as Case);
    const last = files
      .find((f) => f.path.endsWith("/ja_gpqa.sh"))
      ?.content.trimEnd()
      .split("\n")
      .at(-1);
    expect(last).toContain(`--service local --stdout-stderr-dir /repo/results/hosted_vllm/${MODEL}/ja/gpqa --custom-job-id "$JOB_ID"`);
  });
});

describe("on a V5 (v202604) checkout", () => {
  it("the legacy job gets V5's --trust-remote-code <bool>, and the aggregation job the checkout's 157-column table", async () => {
    const checkout = await swallowCheckout("v202604");
    const plan = await resolvePlan({
      model: "org/m",
      root: checkout,
      repoPath: checkout,
      tasks: ["ja_gpqa"],
      cluster: "tsubame4",
      offline: true,
      env: { HOME: "/nonexistent-home", TRUST_REMOTE_CODE: "true" },
    });
    const legacy = renderJobs({ plans: [plan], outDir: await testdir(), group: "tga-x", jobCommand: "legacy" });
    const script = legacy.files.find((f) => f.path.endsWith("/ja_gpqa.sh"))?.content ?? "";
    expect(script.trimEnd().split("\n").at(-1)).toMatch(/ --service tsubame --trust-remote-code true$/);
    const ours = renderJobs({ plans: [plan], outDir: await testdir(), group: "tga-x", thenAggregate: true });
    const aggregation = ours.files.find((f) => f.path.endsWith("/aggregate.sh"))?.content ?? "";
    expect(aggregation).toMatch(/ --conf swallow-v202604$/m);
  });
});

describe("V5 submission options", () => {
  const plan = (cluster: string, extra: Partial<ResolvePlanOptions> = {}) =>
    resolvePlan({ model: MODEL, root: repoRoot, repoPath: "/repo", tasks: ["ja_gpqa"], cluster, offline: true, env: {}, ...extra });

  it("AR_ID: Grid Engine's -ar after the log dirs, as V5's qsub_all.sh; Slurm's --reservation; PBS refuses it", async () => {
    const outDir = await testdir();
    const tsubame = renderJobs({ plans: [await plan("tsubame4")], outDir, group: "tga-x", reservation: "R1234" });
    const argv = tsubame.manifest.jobs[0]?.submit.argv ?? [];
    expect(argv.slice(-4)).toEqual([
      "/repo/results/hosted_vllm/tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5/ja/gpqa",
      "-ar",
      "R1234",
      argv.at(-1),
    ]);
    const slurm = renderJobs({ plans: [await plan("slurm", { nodeKind: "gpu_1" })], outDir, reservation: "maint" });
    expect(slurm.manifest.jobs[0]?.submit.argv).toContain("--reservation=maint");
    const abci = await plan("abci3", { nodeKind: "rt_HG" });
    expect(() => renderJobs({ plans: [abci], outDir, group: "gag0", reservation: "R1" })).toThrow(
      /pbs-pro takes no advance reservation flag/,
    );
    const tsubamePlan = await plan("tsubame4");
    expect(() => renderJobs({ plans: [tsubamePlan], outDir, group: "tga-x", reservation: "R1; rm -rf /" })).toThrow(
      /reservation "R1; rm -rf \/" has characters a reservation id cannot have/,
    );
  });

  it("STORE_PATH: results, logs, lighteval outputs and the ledger go under it; the job still runs in REPO_PATH", async () => {
    const stored = await plan("tsubame4", { env: { STORE_PATH: "/gs/bs/tga-x/store" } });
    expect(stored.paths).toMatchObject({
      repoPath: "/repo",
      storePath: "/gs/bs/tga-x/store",
      resultsDir: `/gs/bs/tga-x/store/results/hosted_vllm/${MODEL}`,
      rawOutputDir: "/gs/bs/tga-x/store/lighteval/outputs",
    });
    const { manifest, files } = renderJobs({ plans: [stored], outDir: await testdir(), group: "tga-x" });
    expect(manifest.jobs[0]).toMatchObject({
      ledger: "/gs/bs/tga-x/store/results/.sweval/ledger.jsonl",
      logDir: `/gs/bs/tga-x/store/results/hosted_vllm/${MODEL}/ja/gpqa`,
    });
    expect(files.find((f) => f.path.endsWith("/ja_gpqa.sh"))?.content).toMatch(/^cd \/repo$/m);
  });
});

describe("a PBS Pro job", () => {
  it("appends its live output to <logDir>/<PBS_JOBID>.OU and .ER while it runs, as the legacy job does on ABCI", async () => {
    const repo = await testdir({ "run.sh": '#!/bin/sh\necho "to stdout $1"\necho "to stderr" >&2\n' });
    chmodSync(join(repo, "run.sh"), 0o755);
    writeFileSync(join(repo, ".env"), `SWEVAL_RUN="${repo}/run.sh"\n`);
    const plan = await resolvePlan({
      model: MODEL,
      root: repoRoot,
      repoPath: repo,
      tasks: ["ja_gpqa"],
      cluster: "abci3",
      nodeKind: "rt_HG",
      offline: true,
      env: {},
    });
    const outDir = await testdir();
    const { manifest, files } = renderJobs({ plans: [plan], outDir, group: "gag0" });
    await writeJobs(outDir, files);
    const [job] = manifest.jobs;
    mkdirSync(job?.logDir ?? "", { recursive: true });
    const run = spawnSync("bash", [job?.script ?? ""], {
      env: { PATH: "/usr/bin:/bin", HOME: repo, PBS_JOBID: "4242.pbs1" },
      encoding: "utf8",
    });
    expect(run.status, run.stderr).toBe(0);
    const ou = join(job?.logDir ?? "", "4242.pbs1.OU");
    for (let i = 0; i < 50 && !(existsSync(ou) && readFileSync(ou, "utf8").includes("to stdout")); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(readFileSync(ou, "utf8")).toBe(`to stdout --plan\n`);
    expect(readFileSync(join(job?.logDir ?? "", "4242.pbs1.ER"), "utf8")).toBe("to stderr\n");
    expect(job?.stdout).toBe(`${job?.logDir}/{jobId}.OU`);
  });
});
