import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { adapterFor, execReal, readLedger, submissions } from "../src/index.js";
import { expectAggregationAfterOthers, expectJobLeavesNoProcess, pbsBin, project, schedulerUp } from "./helpers.js";

const slowBin = fileURLToPath(new URL("./fixtures/slow-bin", import.meta.url));

const up = schedulerUp(["squeue"]);

describe.skipIf(!up && !process.env.CI)(up ? "on a real Slurm" : "on Slurm (skipped: squeue does not answer; .ci/run starts Slurm)", () => {
  it("submits with sbatch --parsable and tells done from error", async () => {
    const p = await project();
    const manifest = await p.render("slurm-test", ["t_ok", "t_fail"]);
    expect(JSON.parse(manifest).jobs[0].submit.argv.slice(0, 2)).toEqual(["sbatch", "--parsable"]);
    const result = await p.pbs(["submit"], manifest);
    expect(result.stderr).toMatch(/2 submitted/);
    const board = await p.waitFor({ t_ok: ["done"], t_fail: ["error"] });
    expect(board.cells.find((c) => c.task === "t_fail")?.reason).toMatch(/slurm: FAILED \(exit 3/);
    expect(board.cells.find((c) => c.task === "t_ok")?.reason).toMatch(/slurm: COMPLETED; completion line/);
    // The bulk read (scontrol -o show job, then sacct -j A,B,…) says what the per-job queries say.
    const ids = board.cells.map((c) => c.jobId as string);
    const adapter = adapterFor("slurm", p.root);
    const bulk = await adapter.accountingMany(execReal, ids);
    for (const id of ids) expect(bulk.get(id)).toEqual(await adapter.accounting(execReal, id));
  }, 120_000);

  it("starts the aggregation job (--dependency=afterany) only after the model's jobs ended", async () => {
    await expectAggregationAfterOthers(await project(), "slurm-test");
  }, 150_000);

  it("leaves no vLLM server or lighteval behind after scancel", async () => {
    const p = await project();
    await expectJobLeavesNoProcess(p, "slurm-test", "t_long", async () => {
      expect(JSON.parse((await p.pbs(["cancel", "--all"])).stdout).cancelled).toHaveLength(1);
    });
  }, 150_000);

  it("neither loses nor doubles a job when submit is killed mid-way (SIGKILL, then SIGTERM), and leaves no lock behind", async () => {
    const p = await project({ binDir: slowBin });
    p.env.SLOW_SBATCH_SECONDS = "0.6";
    // Tasks that stay queued, running or done: a failed one is submitted again by design.
    const tasks = ["t_ok", "t_warn", "t_long", "t_wait"];
    const manifest = await p.render("slurm-test", tasks);
    const recorded = () => submissions(readLedger(p.ledger).entries).length;
    for (const signal of ["SIGKILL", "SIGTERM"] as const) {
      const before = recorded();
      const child = spawn(process.execPath, [pbsBin, "submit", "--parallel", "1"], {
        cwd: p.root,
        env: p.env,
        stdio: ["pipe", "ignore", "ignore"],
      });
      child.stdin.end(manifest);
      for (let i = 0; i < 200 && recorded() <= before; i++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 150)); // into the next sbatch
      child.kill(signal);
      await new Promise((resolve) => child.on("exit", resolve));
      if (signal === "SIGTERM") expect(existsSync(`${p.ledger}.lock`)).toBe(false);
    }
    expect(recorded()).toBeLessThan(tasks.length);
    // The re-run takes over the dead holder's lock at once, recovers what the killed runs submitted, and submits the rest.
    const rerun = await p.pbs(["submit"], manifest);
    expect(rerun.exitCode).toBe(0);
    const entries = submissions(readLedger(p.ledger).entries);
    expect(entries.map((e) => e.job.name).sort()).toEqual([...tasks].sort());
    const intents = readLedger(p.ledger).entries.filter((e) => e.event === "submitting");
    const settled = readLedger(p.ledger).entries.filter((e) => (e.event === "submitted" || e.event === "not-submitted") && e.token);
    expect(settled.length).toBe(intents.length);
    // And the scheduler holds exactly one job per task of this project.
    const queue = spawnSync("squeue", ["-h", "-t", "all", "-o", "%i|%j|%o"], { encoding: "utf8" }).stdout.trim().split("\n");
    const ours = queue.map((line) => line.split("|")).filter((f) => (f[2] ?? "").startsWith(p.root));
    expect(ours.map((f) => f[1]).sort()).toEqual([...tasks].sort());
    expect(ours.map((f) => f[0]).sort()).toEqual(entries.map((e) => e.jobId).sort());
    await p.pbs(["cancel", "--all"]);
  }, 150_000);

  it("cancels a running job with scancel", async () => {
    const p = await project();
    await p.pbs(["submit"], await p.render("slurm-test", ["t_long"]));
    await p.waitFor({ t_long: ["running"] }, 60_000);
    await p.pbs(["cancel", "t_long"]);
    const board = await p.waitFor({ t_long: ["deleted"] }, 60_000);
    expect(board.cells[0]?.reason).toMatch(/CANCELLED/);
  }, 120_000);
});
