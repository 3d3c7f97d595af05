import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderJobs } from "@sweval/job-renderer";
import { resolvePlan } from "@sweval/settings-resolver";
import { repoRoot, runBin, testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { EstimateSchema, estimateManifest } from "../src/index.js";

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
    ["tsubame4", "node_q", 7200, -5, { held: 0.4, least: 0.0645, worst: 0.4 }],
    // node_h 0.5/h, -4 = x2, h_rt 24 h: worst = 1.0 × 0.8 × 24; least = 1.0 × (0.0583333 + 2.4)
    ["tsubame4", "node_h", 86_400, -4, { held: 19.2, least: 2.4583, worst: 19.2 }],
    // node_f 1.0/h, -3 = x4, h_rt 30 min: worst = 4 × 0.8 × 0.5; least = 4 × (0.0583333 + 0.05) = 0.4333…
    ["tsubame4", "node_f", 1800, -3, { held: 1.6, least: 0.4333, worst: 1.6 }],
    // ABCI rt_HG 1.5/h, 1 h: the limit held and charged at most; 1.8 s at least = 0.00075
    ["abci3", "rt_HG", 3600, undefined, { held: 1.5, least: 0.0007, worst: 1.5 }],
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
    expect(table.stdout).toMatch(/^job +kind +x +h_rt h +held +least +worst$/m);
    expect(table.stdout).toMatch(/cpu_4\? /);
    expect(table.stdout).toMatch(/not confirmed by the operator; \? marks a guessed coefficient/);
    expect(table.stderr).toMatch(/1 job\(s\) on tsubame4: 0\.012 points held at submission, 0\.0023–0\.012 charged/);
    const json = await runBin(bin, ["estimate", "--manifest", join(dir, "manifest.json"), "--json"]);
    expect(EstimateSchema.parse(JSON.parse(json.stdout)).jobs[0]).toMatchObject({ nodeKind: "cpu_4", guessed: true });
    writeFileSync(join(dir, "local.json"), JSON.stringify(await oneJob("local", "gpu_1", 3600)));
    const local = await runBin(bin, ["estimate", "--manifest", join(dir, "local.json")]);
    expect([local.exitCode, local.stdout]).toEqual([2, ""]);
    expect(local.stderr).toMatch(/cluster local states no charging formula/);
  });
});
