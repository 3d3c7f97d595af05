import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { readLedger, submissions } from "../src/index.js";
import { expectAggregationAfterOthers, project } from "./helpers.js";

describe("sweval-pbs bad input", () => {
  it.each([
    ["not JSON", "{", /<stdin>:1: malformed JSON/],
    ["another document", '{"kind":"sweval/plan","version":1}', /field "kind": expected kind "sweval\/jobs", received "sweval\/plan"/],
    ["a manifest failing its schema", '{"kind":"sweval/jobs","version":1,"jobs":[{}]}', /sweval\/jobs does not match its schema/],
    ["no manifest", "", /no manifest: pipe sweval-render into sweval-pbs submit/],
  ])("exits 2 for %s", async (_, stdin, message) => {
    const p = await project();
    const result = await p.pbs(["submit"], stdin);
    expect([result.exitCode, result.stdout]).toEqual([2, ""]);
    expect(result.stderr).toMatch(message);
  });

  it("exits 2 and submits nothing when a job script no longer exists", async () => {
    const p = await project();
    const manifest = await p.render("local", ["t_ok", "t_fail"]);
    rmSync(JSON.parse(manifest).jobs[1].script);
    const result = await p.pbs(["submit"], manifest);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/t_fail\.sh: field "t_fail": job script no longer exists; re-render the jobs/);
    expect(submissions(readLedger(p.ledger).entries)).toHaveLength(0);
  });

  it("exits 2 naming the scheduler command missing from PATH", async () => {
    const p = await project();
    const manifest = await p.render("slurm-test", ["t_ok"]);
    p.env.PATH = "/nonexistent";
    const result = await p.pbs(["submit", "--ledger", join(p.root, "l.jsonl")], manifest);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/sbatch is not on PATH/);
  });

  it("exits 2 and submits nothing when the node or runner the jobs would run is gone", async () => {
    const p = await project();
    const manifest = JSON.parse(await p.render("local", ["t_ok"]));
    for (const [tool, gone, message] of [
      [
        "node",
        "/gone/bin/node",
        /the node the jobs would run, \/gone\/bin\/node, does not exist: every job would stop at start with rc 127/,
      ],
      ["run", "/gone/sweval-run.js", /the sweval-run the jobs would run, \/gone\/sweval-run\.js, does not exist/],
    ] as const) {
      const broken = { ...manifest, tools: { ...manifest.tools, [tool]: gone } };
      const result = await p.pbs(["submit"], JSON.stringify(broken));
      expect([result.exitCode, result.stdout]).toEqual([2, ""]);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/hint: re-render from the sweval install the jobs should use, or export SWEVAL_/);
    }
    expect(submissions(readLedger(p.ledger).entries)).toHaveLength(0);
    const named = await p.pbs(["submit", "--dry-run"], JSON.stringify(manifest));
    expect(named.stderr).toContain(`jobs run ${manifest.tools.run} under ${manifest.tools.node}`);
  });

  it("prints what it would run with --dry-run and writes nothing", async () => {
    const p = await project();
    const result = await p.pbs(["submit", "--dry-run"], await p.render("local", ["t_ok"]));
    expect(result.stderr).toMatch(/would run: bash .*t_ok\.sh/);
    expect(submissions(readLedger(p.ledger).entries)).toHaveLength(0);
  });
});

describe("the aggregation job", () => {
  it("runs after all of a model's jobs on the local scheduler", async () => {
    await expectAggregationAfterOthers(await project(), "local");
  }, 120_000);

  it("is the renderer's now: submit --then-aggregate exits 2 and says where it went", async () => {
    const p = await project();
    const result = await p.pbs(["submit", "--then-aggregate"], await p.render("local", ["t_ok"]));
    expect([result.exitCode, result.stdout]).toEqual([2, ""]);
    expect(result.stderr).toMatch(/--then-aggregate moved to the renderer[\s\S]*sweval-render --then-aggregate/);
    expect(submissions(readLedger(p.ledger).entries)).toHaveLength(0);
  });

  it("fails, unsubmitted, when a job it runs after could not be submitted", async () => {
    const p = await project();
    const manifest = JSON.parse(await p.render("local", ["t_ok"], [], ["--then-aggregate"]));
    p.env.SWEVAL_LOCAL_STATE_DIR = join(p.root, "not-a-dir");
    writeFileSync(join(p.root, "not-a-dir"), "a file where the local scheduler keeps its state");
    const result = await p.pbs(["submit"], JSON.stringify(manifest));
    expect(result.exitCode).toBe(1);
    const outcomes = JSON.parse(result.stdout).outcomes;
    expect(outcomes.map((o: { status: string }) => o.status)).toEqual(["failed", "failed"]);
    expect(outcomes[1].reason).toBe(`runs after ${manifest.jobs[0].id}, which was not submitted`);
  });
});

describe("manifests of version 1", () => {
  it("are read as before: each job submitted, in order, with no dependencies", async () => {
    const p = await project();
    const v2 = JSON.parse(await p.render("local", ["t_ok", "t_warn"]));
    const v1 = { ...v2, version: 1, jobs: v2.jobs.map(({ id: _id, after: _after, ...job }: Record<string, unknown>) => job) };
    const result = await p.pbs(["submit"], JSON.stringify(v1));
    expect(result.stderr).toMatch(/2 submitted, 0 skipped, 0 failed/);
    const entries = submissions(readLedger(p.ledger).entries);
    expect(entries.map((e) => [e.version, e.job.id, e.job.after]).sort()).toEqual([
      [2, v2.jobs[0].id, []],
      [2, v2.jobs[1].id, []],
    ]);
  });
});

describe("the login-node pre-download (the legacy PREDOWNLOAD_MODEL=true)", () => {
  /** A profile that pre-downloads, an hf stand-in that records argv and whether it got the token, and a .env with the token. */
  async function downloading(options: { hfExit?: number } = {}) {
    const bin = await testdir();
    writeFileSync(
      join(bin, "hf"),
      `#!/bin/sh\necho "hf $* token=\${HF_TOKEN:+set} home=$HF_HOME" >> "${bin}/hf.log"\necho "Fetching 4 files: 100%" >&2\nexit ${options.hfExit ?? 0}\n`,
      { mode: 0o755 },
    );
    const p = await project({ binDir: bin });
    writeFileSync(
      join(p.root, "conf/clusters/local-dl.yaml"),
      [
        "name: local-dl",
        "description: this machine, pre-downloading as TSUBAME4's profile does",
        "scheduler: local",
        "legacyService: local",
        "defaultNodeKind: gpu_1",
        "group: null",
        "priorities: []",
        "nodeKinds:",
        "  gpu_1: { gpus: 1, walltimeColumn: hrt_f }",
        "predownload: true",
        "sources: [tests]",
      ].join("\n"),
    );
    const cache = join(p.root, "hf-cache");
    writeFileSync(
      join(p.root, ".env"),
      `${readFileSync(join(p.root, ".env"), "utf8")}HF_TOKEN="hf_planted0000000000000000secret"\nHUGGINGFACE_CACHE="${cache}"\n`,
    );
    return { p, log: join(bin, "hf.log"), cache };
  }

  it("downloads each vLLM model once before any job is submitted, the token in the environment only", async () => {
    const { p, log, cache } = await downloading();
    const result = await p.pbs(["submit"], await p.render("local-dl", ["t_ok", "t_warn"]));
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readFileSync(log, "utf8")).toBe(`hf download org/test-model --cache-dir ${cache} token=set home=${cache}\n`);
    expect(result.stderr).toMatch(
      /downloading org\/test-model on this node: .*hf download org\/test-model --cache-dir[\s\S]*Fetching 4 files: 100%[\s\S]*2 submitted/,
    );
    expect(result.stderr + result.stdout).not.toContain("planted");
  });

  it("--no-predownload skips it; a rehearsal downloads nothing; --dry-run says what it would run", async () => {
    const { p, log } = await downloading();
    await p.pbs(["submit", "--no-predownload"], await p.render("local-dl", ["t_ok"]));
    await p.pbs(["submit", "--force"], await p.render("local-dl", ["t_ok"], [], ["--rehearse"]));
    expect(existsSync(log)).toBe(false);
    const dry = await p.pbs(["submit", "--dry-run", "--force"], await p.render("local-dl", ["t_ok"]));
    expect(dry.stderr).toMatch(/would download org\/test-model on this node/);
    expect(existsSync(log)).toBe(false);
  });

  it("a failed download submits nothing and exits 1", async () => {
    const { p } = await downloading({ hfExit: 3 });
    const result = await p.pbs(["submit"], await p.render("local-dl", ["t_ok"]));
    expect([result.exitCode, result.stdout]).toEqual([1, ""]);
    expect(result.stderr).toMatch(/hf download org\/test-model failed \(exit 3\); nothing was submitted/);
    expect(submissions(readLedger(p.ledger).entries)).toHaveLength(0);
  });
});
