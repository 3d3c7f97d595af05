import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { readLedger, submissions } from "../src/index.js";
import { expectJobLeavesNoProcess, project } from "./helpers.js";

describe("the local scheduler (the embedded default)", () => {
  it("runs jobs to done, error and done_with_errors, and the board survives the submitting shell", async () => {
    const p = await project();
    const manifest = await p.render("local", ["t_ok", "t_fail", "t_warn"]);
    const submitted = await p.pbs(["submit"], manifest);
    expect(submitted.exitCode).toBe(0);
    const outcome = JSON.parse(submitted.stdout);
    expect(outcome.outcomes.map((o: { status: string }) => o.status)).toEqual(["submitted", "submitted", "submitted"]);
    const board = await p.waitFor({ t_ok: ["done"], t_fail: ["error"], t_warn: ["done_with_errors"] });
    expect(board.cells.find((c) => c.task === "t_fail")?.reason).toMatch(/local: exit 3/);
    const ok = board.cells.find((c) => c.task === "t_ok");
    expect(readFileSync(ok?.stdout ?? "", "utf8")).toMatch(new RegExp(`JOB_ID=${ok?.jobId}`));
    const text = await p.pbs(["status"]);
    expect(text.stdout).toMatch(/🟢 t_ok\s+done/);
    expect(text.stdout).toMatch(/🟥 t_fail\s+error/);
  }, 60_000);

  it("resubmits a failed 1-GPU job as it was submitted: pinned to one of two devices, its walltime kept", async () => {
    const p = await project();
    expect(p.env.SWEVAL_LOCAL_DEVICES).toBe("0,1");
    const manifest = JSON.parse(await p.render("local", ["t_fail"], ["--node-kind", "gpu_1"]));
    expect(manifest.jobs[0].resources.gpus).toBe(1);
    await p.pbs(["submit"], JSON.stringify(manifest));
    const failed = await p.waitFor({ t_fail: ["error"] });
    const resubmitted = JSON.parse((await p.pbs(["resubmit", "--failed"])).stdout).resubmitted;
    expect(resubmitted).toHaveLength(1);
    const again = await p.waitFor({ t_fail: ["error"] });
    const cell = again.cells[0];
    expect(cell?.jobId).not.toBe(failed.cells[0]?.jobId);
    const state = JSON.parse(readFileSync(`${p.env.SWEVAL_LOCAL_STATE_DIR}/jobs/${cell?.jobId}.json`, "utf8"));
    expect(state).toMatchObject({ gpus: 1, walltimeSeconds: 60 });
    expect(state.devices).toHaveLength(1);
    expect(["0", "1"]).toContain(state.devices[0]);
    expect(readFileSync(cell?.stdout ?? "", "utf8")).toMatch(new RegExp(`CUDA_VISIBLE_DEVICES=${state.devices[0]}$`, "m"));
    const entry = submissions(readLedger(p.ledger).entries).at(-1);
    expect(entry?.job).toEqual(manifest.jobs[0]);
  }, 60_000);

  it("leaves no vLLM server or lighteval behind when a job is cancelled or killed at its walltime", async () => {
    const cancelled = await project();
    await expectJobLeavesNoProcess(cancelled, "local", "t_long", async () => {
      expect(JSON.parse((await cancelled.pbs(["cancel", "--all"])).stdout).cancelled).toHaveLength(1);
    });
    const timedOut = await project();
    await expectJobLeavesNoProcess(timedOut, "local", "t_slow", async () => {
      await timedOut.waitFor({ t_slow: ["timeout"] }, 60_000);
    });
  }, 150_000);

  it("ends a waiting supervisor once its state dir is gone, instead of polling for ever", async () => {
    const stateDir = join(await testdir(), "state");
    // The built package: its supervisor is dist/local-supervisor.js (the sources have no .js to start).
    const { createLocalScheduler } = await import("@sweval/pbs-client");
    const scheduler = createLocalScheduler({ stateDir, env: { ...process.env, SWEVAL_LOCAL_DEVICES: "" } });
    // A dependency that never ends keeps the supervisor waiting.
    scheduler.submit({
      name: "w",
      script: "/bin/true",
      stdout: join(stateDir, "o"),
      stderr: join(stateDir, "e"),
      walltimeSeconds: 60,
      gpus: 0,
      after: ["never"],
    });
    const supervisors = () =>
      spawnSync("pgrep", ["-f", `local-supervisor.js ${stateDir} `])
        .stdout.toString()
        .trim();
    for (let i = 0; i < 50 && supervisors() === ""; i++) await new Promise((r) => setTimeout(r, 100));
    // Still waiting a second later: it is the supervisor polling, not a process that failed to start.
    await new Promise((r) => setTimeout(r, 1000));
    expect(supervisors()).not.toBe("");
    rmSync(stateDir, { recursive: true, force: true });
    for (let i = 0; i < 50 && supervisors() !== ""; i++) await new Promise((r) => setTimeout(r, 100));
    expect(supervisors()).toBe("");
  }, 20_000);

  it("skips tasks already running or done, unless forced", async () => {
    const p = await project();
    const manifest = await p.render("local", ["t_ok"]);
    await p.pbs(["submit"], manifest);
    await p.waitFor({ t_ok: ["done"] });
    const again = JSON.parse((await p.pbs(["submit"], manifest)).stdout);
    expect(again.outcomes[0]).toMatchObject({ status: "skipped", reason: expect.stringMatching(/^done as job /) });
    const forced = JSON.parse((await p.pbs(["submit", "--force"], manifest)).stdout);
    expect(forced.outcomes[0].status).toBe("submitted");
  }, 60_000);

  it("enforces the walltime (timeout), cancels running and queued jobs (deleted), and resubmits only the failed", async () => {
    const p = await project();
    p.env.SWEVAL_LOCAL_MAX_JOBS = "1";
    const manifest = await p.render("local", ["t_slow", "t_long", "t_ok"]);
    await p.pbs(["submit", "--parallel", "1"], manifest);
    await p.waitFor({ t_slow: ["running"], t_long: ["queued"], t_ok: ["queued"] }, 20_000);
    await p.waitFor({ t_slow: ["timeout"], t_long: ["running"] }, 30_000);
    const cancel = await p.pbs(["cancel", "t_long", "t_ok"]);
    expect(JSON.parse(cancel.stdout).cancelled).toHaveLength(2);
    const board = await p.waitFor({ t_slow: ["timeout"], t_long: ["deleted"], t_ok: ["deleted"] }, 30_000);
    expect(board.cells.find((c) => c.task === "t_slow")?.reason).toMatch(/walltime 4s exceeded/);
    const dryRun = JSON.parse((await p.pbs(["resubmit", "--failed", "--dry-run"])).stdout);
    expect(dryRun.resubmitted.map((r: { task: string }) => r.task).sort()).toEqual(["t_long", "t_ok", "t_slow"]);
    const resubmit = JSON.parse((await p.pbs(["resubmit", "--failed"])).stdout);
    expect(resubmit.resubmitted.every((r: { jobId: string; was: string }) => r.jobId && r.jobId !== r.was)).toBe(true);
    const after = await p.waitFor({ t_ok: ["queued", "running", "done"] }, 20_000);
    expect(after.cells.find((c) => c.task === "t_ok")?.jobIds).toHaveLength(2);
    await p.pbs(["cancel", "--all"]);
  }, 90_000);

  it("leaves no process of a cancelled job's group behind", async () => {
    const p = await project();
    const manifest = await p.render("local", ["t_long"]);
    await p.pbs(["submit"], manifest);
    const running = await p.waitFor({ t_long: ["running"] }, 20_000);
    const jobId = running.cells[0]?.jobId ?? "";
    const state = JSON.parse(readFileSync(`${p.env.SWEVAL_LOCAL_STATE_DIR}/jobs/${jobId}.json`, "utf8"));
    await p.pbs(["cancel", jobId]);
    await p.waitFor({ t_long: ["deleted"] }, 20_000);
    // Killed processes can linger as zombies until PID 1 reaps them; only live members of the group count.
    const live = () =>
      spawnSync("ps", ["-o", "stat=", "-g", String(state.pid)], { encoding: "utf8" })
        .stdout.split("\n")
        .filter((s) => s.trim() && !s.startsWith("Z"));
    for (let i = 0; i < 50 && live().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(live()).toEqual([]);
  }, 60_000);
});
