import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { repoRoot, runBin, testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { COMPLETION_LINE, JobsManifestSchema } from "../src/index.js";

const renderBin = fileURLToPath(new URL("../bin/sweval-render.js", import.meta.url));
const resolveBin = join(repoRoot, "packages/settings-resolver/bin/sweval-resolve.js");
const swevalBin = join(repoRoot, "packages/cli/bin/sweval.js");
const MODEL = "tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5";

async function planText(args: string[] = []) {
  const result = await runBin(
    resolveBin,
    [
      "--model",
      MODEL,
      "--custom-settings",
      "default",
      "--tasks",
      "ja_gpqa,en_math_500",
      "--offline",
      "-q",
      "--repo-path",
      "/repo",
      ...args,
    ],
    {
      env: { HOME: "/nonexistent-home" },
    },
  );
  expect(result.exitCode).toBe(0);
  return result.stdout;
}

describe("sweval-render", () => {
  it("writes one executable script per task, the plan next to them, and prints the manifest", async () => {
    const out = join(await testdir(), "jobs");
    const result = await runBin(renderBin, ["--out", out], { stdin: await planText() });
    expect(result.exitCode).toBe(0);
    const manifest = JobsManifestSchema.parse(JSON.parse(result.stdout));
    expect(manifest.jobs.map((job) => job.name)).toEqual(["ja_gpqa", "en_math_500"]);
    for (const job of manifest.jobs) {
      expect(statSync(job.script).mode & 0o111).not.toBe(0);
      expect(readFileSync(job.script, "utf8")).toContain(`--plan ${job.planPath} --task ${job.tasks[0]}`);
    }
    expect(JSON.parse(readFileSync(manifest.jobs[0]?.planPath ?? "", "utf8")).kind).toBe("sweval/plan");
    expect(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"))).toEqual(manifest);
    expect(result.stderr).toMatch(/wrote 2 job script\(s\)/);
  });

  it("renders several plans (JSON Lines) into one manifest", async () => {
    const resolved = await runBin(resolveBin, ["-m", MODEL, "-m", "org/other", "-t", "ja_gpqa", "--offline", "-q"], {
      env: { HOME: "/nonexistent-home" },
    });
    expect(resolved.stdout.trim().split("\n")).toHaveLength(2);
    const out = join(await testdir(), "jobs");
    const rendered = await runBin(renderBin, ["--out", out], { stdin: resolved.stdout });
    expect(rendered.stderr).toMatch(/wrote 2 job/);
    expect(JSON.parse(rendered.stdout).jobs.map((job: { model: string }) => job.model)).toEqual([MODEL, "org/other"]);
  });

  it("--dry-run prints the manifest and writes nothing", async () => {
    const out = join(await testdir(), "jobs");
    const result = await runBin(renderBin, ["--out", out, "--dry-run"], { stdin: await planText() });
    expect([result.exitCode, existsSync(out)]).toEqual([0, false]);
    expect(JSON.parse(result.stdout).jobs).toHaveLength(2);
  });

  it.each([
    ["malformed JSON", '{"kind": "sweval/plan",\n  "version": 1,\n  oops\n}\n{', /<stdin>:\d+: malformed JSON Lines/],
    [
      "another document kind",
      '{"kind":"sweval/jobs","version":1}',
      /<stdin>: field "kind": expected kind "sweval\/plan", received "sweval\/jobs"/,
    ],
    ["a newer plan version", '{"kind":"sweval/plan","version":3}', /field "version": sweval\/plan: expected version 2, received 3/],
    [
      "a plan of the version before the cluster facts",
      '{"kind":"sweval/plan","version":1}',
      /expected version 2, received 1\n.*resolve the plan again with this sweval/,
    ],
    [
      "a plan missing fields",
      '{"kind":"sweval/plan","version":2,"tasks":[]}',
      /<stdin>: field "generator": sweval\/plan does not match its schema/,
    ],
    ["no input", "", /no plan found: pipe sweval-resolve into sweval-render/],
  ])("exits 2 and writes nothing for %s", async (_, stdin, message) => {
    const out = join(await testdir(), "jobs");
    const result = await runBin(renderBin, ["--out", out], { stdin });
    expect([result.exitCode, result.stdout, existsSync(out)]).toEqual([2, "", false]);
    expect(result.stderr).toMatch(message);
  });

  it("exits 2 and writes nothing when TSUBAME's group is unknown or the priority is not allowed", async () => {
    const tsubame = await planText(["--cluster", "tsubame4", "--node-kind", "node_q"]);
    const out = join(await testdir(), "jobs");
    const noGroup = await runBin(renderBin, ["--out", out], { stdin: tsubame, env: { TSUBAME_GROUP: "" } });
    expect([noGroup.exitCode, existsSync(out)]).toEqual([2, false]);
    expect(noGroup.stderr).toMatch(/field "--group": tsubame4 bills jobs to a group \(-g\) but TSUBAME_GROUP is not set/);
    const badPriority = await runBin(renderBin, ["--out", out, "--priority", "0"], { stdin: tsubame, env: { TSUBAME_GROUP: "tga-x" } });
    expect(badPriority.stderr).toMatch(
      /priority 0 is not allowed on tsubame4; choose one of -5 \(cost x1\), -4 \(cost x2\), -3 \(cost x4\)/,
    );
    expect([badPriority.exitCode, existsSync(out)]).toEqual([2, false]);
    const ok = await runBin(renderBin, ["--out", out, "--priority", "-3"], { stdin: tsubame, env: { TSUBAME_GROUP: "tga-x" } });
    expect(JSON.parse(ok.stdout).jobs[0].submit.argv.slice(0, 7)).toEqual(["qsub", "-g", "tga-x", "-l", "node_q=1", "-p", "-3"]);
  });

  it("runs as the README pipeline: sweval resolve … | sweval render --out jobs/", async () => {
    const dir = await testdir();
    const pipeline = `node ${swevalBin} resolve --model ${MODEL} --provider vllm --cluster tsubame4 --node-kind node_q --custom-settings default --tasks all --offline | node ${swevalBin} render --out ${dir}/jobs/`;
    const result = spawnSync("bash", ["-o", "pipefail", "-c", pipeline], {
      cwd: repoRoot,
      encoding: "utf8",
      env: { ...process.env, HOME: "/nonexistent-home", TSUBAME_GROUP: "tga-example" },
    });
    expect(result.status).toBe(0);
    const manifest = JobsManifestSchema.parse(JSON.parse(result.stdout));
    expect(manifest.jobs).toHaveLength(19);
    expect(manifest.jobs.every((job) => existsSync(job.script))).toBe(true);
    expect(result.stderr).toMatch(/will be detected by the runner at job start/);
  });
});

describe("sweval-render on a full disk", () => {
  const canMount = process.getuid?.() === 0 && spawnSync("mount", ["--version"]).status === 0;
  it.skipIf(!canMount)(
    canMount ? "fails clearly (exit 1) and leaves no half-written file" : "on a full disk (skipped: mounting a small tmpfs needs root)",
    async () => {
      const disk = join(await testdir(), "disk");
      mkdirSync(disk);
      expect(spawnSync("mount", ["-t", "tmpfs", "-o", "size=16k", "tmpfs", disk]).status).toBe(0);
      try {
        const result = await runBin(renderBin, ["--out", join(disk, "jobs")], { stdin: await planText() });
        expect([result.exitCode, result.stdout]).toEqual([1, ""]);
        expect(result.stderr).toMatch(/cannot write: no space left on the device \(ENOSPC\)/);
        // Whatever was written is whole: no temp file is left, and no manifest claims jobs that are not there.
        const written = spawnSync("find", [disk, "-type", "f"], { encoding: "utf8" }).stdout.trim().split("\n").filter(Boolean);
        expect(written.filter((file) => /\.tmp$/.test(file))).toEqual([]);
        expect(written.some((file) => file.endsWith("manifest.json"))).toBe(false);
      } finally {
        spawnSync("umount", ["-l", disk]);
      }
    },
  );
});

describe("jobs that find their tools", () => {
  /** A PATH whose `node`, `sweval-run` and `sweval-aggregate` are impostors: a job that used PATH would fail. */
  async function impostorPath(dir: string) {
    const bin = join(dir, "impostors");
    mkdirSync(bin);
    for (const name of ["node", "sweval-run", "sweval-aggregate"]) {
      writeFileSync(join(bin, name), `#!/bin/sh\necho "impostor ${name} ran" >&2\nexit 99\n`, { mode: 0o755 });
    }
    return `${bin}:/usr/bin:/bin`;
  }

  async function renderRehearsal(dir: string, extra: string[] = []) {
    const plan = await runBin(
      resolveBin,
      ["-m", MODEL, "-t", "ja_gpqa", "--cluster", "local", "--node-kind", "gpu_1", "--offline", "-q", "--repo-path", dir],
      {
        env: { HOME: "/nonexistent-home" },
      },
    );
    expect(plan.exitCode).toBe(0);
    const rendered = await runBin(renderBin, ["--out", join(dir, "jobs"), "--rehearse", ...extra], { stdin: plan.stdout });
    expect(rendered.exitCode).toBe(0);
    return JobsManifestSchema.parse(JSON.parse(rendered.stdout));
  }

  it("records the node and the runner it resolved, and the job runs them whatever the compute node's PATH holds", async () => {
    const dir = await testdir();
    const manifest = await renderRehearsal(dir, ["--then-aggregate"]);
    expect(manifest.tools).toEqual({
      node: realpathSync(process.execPath),
      run: join(repoRoot, "packages/inference-runner/bin/sweval-run.js"),
      aggregate: join(repoRoot, "packages/aggregator/bin/sweval-aggregate.js"),
    });
    const env = { PATH: await impostorPath(dir), HOME: dir };
    for (const job of manifest.jobs) {
      const run = spawnSync("bash", [job.script], { env, encoding: "utf8", timeout: 60_000 });
      expect(run.stderr).not.toContain("impostor");
      expect(run.status, run.stderr).toBe(0);
      // The line the status board reads as done, from the evaluation job and the aggregation job alike.
      expect(run.stdout.split("\n")).toContain(COMPLETION_LINE);
    }
    const rehearsalResults = join(dir, "results/rehearsal/hosted_vllm", MODEL);
    expect(existsSync(join(rehearsalResults, "aggregated_results.json"))).toBe(true);
  });

  it("stops with rc 127 naming the file when the recorded node or runner is not on the compute node", async () => {
    const dir = await testdir();
    const [job] = (await renderRehearsal(dir)).jobs;
    const script = job?.script ?? "";
    const noNode = spawnSync("bash", [script], {
      env: { PATH: "/usr/bin:/bin", HOME: dir, SWEVAL_NODE: "/gone/bin/node" },
      encoding: "utf8",
    });
    expect(noNode.status).toBe(127);
    expect(noNode.stderr).toMatch(
      /sweval job: node \/gone\/bin\/node is not on .*; install sweval on a filesystem the compute nodes share/,
    );
    writeFileSync(script, readFileSync(script, "utf8").replace(/^sweval_entry=.*$/m, "sweval_entry=/gone/sweval-run.js"));
    const noRunner = spawnSync("bash", [script], { env: { PATH: "/usr/bin:/bin", HOME: dir }, encoding: "utf8" });
    expect(noRunner.status).toBe(127);
    expect(noRunner.stderr).toContain("sweval job: sweval-run /gone/sweval-run.js is not on");
  });

  it("lets SWEVAL_RUN from .env replace the recorded runner", async () => {
    const dir = await testdir();
    const [job] = (await renderRehearsal(dir)).jobs;
    writeFileSync(join(dir, ".env"), `SWEVAL_RUN="${join(dir, "other-run.sh")}"\n`);
    writeFileSync(join(dir, "other-run.sh"), '#!/bin/sh\necho "other runner: $*"\n', { mode: 0o755 });
    const run = spawnSync("bash", [job?.script ?? ""], { env: { PATH: "/usr/bin:/bin", HOME: dir }, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe(`other runner: --plan ${job?.planPath} --task ja_gpqa --rehearse\n`);
  });
});
