import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readLedger } from "../src/index.js";
import { project } from "./helpers.js";

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
    expect(readLedger(p.ledger).entries).toHaveLength(0);
  });

  it("exits 2 naming the scheduler command missing from PATH", async () => {
    const p = await project();
    const manifest = await p.render("slurm-test", ["t_ok"]);
    p.env.PATH = "/nonexistent";
    const result = await p.pbs(["submit", "--ledger", join(p.root, "l.jsonl")], manifest);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/sbatch is not on PATH/);
  });

  it("prints what it would run with --dry-run and writes nothing", async () => {
    const p = await project();
    const result = await p.pbs(["submit", "--dry-run"], await p.render("local", ["t_ok"]));
    expect(result.stderr).toMatch(/would run: bash .*t_ok\.sh/);
    expect(readLedger(p.ledger).entries).toHaveLength(0);
  });
});

describe("--then-aggregate", () => {
  it("runs an aggregation job after all of a model's jobs", async () => {
    const p = await project();
    const fakeAggregate = join(p.root, "fake-run.sh");
    p.env.SWEVAL_AGGREGATE = fakeAggregate;
    const result = await p.pbs(["submit", "--then-aggregate"], await p.render("local", ["t_ok", "t_warn"]));
    const outcomes = JSON.parse(result.stdout).outcomes;
    expect(outcomes.map((o: { job: string }) => o.job)).toEqual(["t_ok", "t_warn", "aggregate"]);
    const board = await p.waitFor({ t_ok: ["done"], t_warn: ["done_with_errors"], aggregate: ["error", "done", "timeout"] });
    expect(board.cells.find((c) => c.task === "aggregate")?.jobId).toBe(outcomes[2].jobId);
  }, 60_000);
});
