import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { adapterFor, execReal, readLedger, submissions } from "../src/index.js";
import { expectAggregationAfterOthers, expectJobLeavesNoProcess, project, schedulerUp } from "./helpers.js";

const up = schedulerUp(["qstat"]);

/** Starts sge_qmaster again after a test stopped it (it daemonizes; the cell's state is kept). */
function startQmaster() {
  spawnSync("/usr/sbin/sge_qmaster", {
    env: { ...process.env, SGE_ROOT: "/var/lib/gridengine", SGE_CELL: "default", SGE_QMASTER_PIDFILE: "/var/run/gridengine/qmaster.pid" },
  });
}
const wrapperDir = fileURLToPath(new URL("./fixtures/bin", import.meta.url));

describe.skipIf(!up && !process.env.CI)(
  up ? "on a real Son of Grid Engine" : "on Son of Grid Engine (skipped: qstat does not answer; .ci/run starts SGE)",
  () => {
    it("submits with TSUBAME's argv through a -g wrapper, and tells done, error and done_with_errors apart", async () => {
      const p = await project({ binDir: wrapperDir });
      p.env.EXPECT_GROUP = "tga-test";
      const manifest = await p.render("sge-test", ["t_ok", "t_fail", "t_warn"]);
      expect(JSON.parse(manifest).jobs[0].submit.argv.slice(0, 7)).toEqual(["qsub", "-g", "tga-test", "-l", "cpu_4=1", "-p", "-5"]);
      const result = await p.pbs(["submit"], manifest);
      expect(result.stderr).toMatch(/3 submitted, 0 skipped, 0 failed/);
      const board = await p.waitFor({ t_ok: ["done"], t_fail: ["error"], t_warn: ["done_with_errors"] });
      expect(board.cells.find((c) => c.task === "t_ok")?.reason).toMatch(/qacct: exit_status 0; completion line/);
      expect(board.cells.find((c) => c.task === "t_fail")).toMatchObject({ exitStatus: 3, reason: "qacct: exit_status 3" });
      const ok = board.cells.find((c) => c.task === "t_ok");
      expect(ok?.stdout).toMatch(new RegExp(`/t/ok/t_ok\\.o${ok?.jobId}$`));
      expect(readFileSync(ok?.stdout ?? "", "utf8")).toMatch(/fake sweval-run --plan .* --task t_ok/);
      // The bulk read of accounting (one qacct -o USER -j for a long ledger) says what one qacct per job says.
      const ids = board.cells.map((c) => c.jobId as string);
      const adapter = adapterFor("grid-engine", p.root);
      const bulk = await adapter.accountingMany(execReal, ids);
      for (const id of ids) expect(bulk.get(id)).toEqual(await adapter.accounting(execReal, id));
    }, 120_000);

    it("holds the aggregation job (-hold_jid) until the model's jobs ended", async () => {
      const p = await project({ binDir: wrapperDir });
      await expectAggregationAfterOthers(p, "sge-test");
    }, 150_000);

    it("leaves no vLLM server or lighteval behind after qdel or an h_rt kill", async () => {
      const deleted = await project({ binDir: wrapperDir });
      await expectJobLeavesNoProcess(deleted, "sge-test", "t_long", async () => {
        expect(JSON.parse((await deleted.pbs(["cancel", "--all"])).stdout).cancelled).toHaveLength(1);
      });
      const killed = await project({ binDir: wrapperDir });
      await expectJobLeavesNoProcess(killed, "sge-test", "t_slow", async () => {
        await killed.waitFor({ t_slow: ["timeout"] }, 90_000);
      });
    }, 240_000);

    it("reports a job killed at its h_rt as timeout (qacct failed 37)", async () => {
      const p = await project({ binDir: wrapperDir });
      await p.pbs(["submit"], await p.render("sge-test", ["t_slow"]));
      const board = await p.waitFor({ t_slow: ["timeout"] }, 90_000);
      expect(board.cells[0]?.reason).toMatch(/qacct: failed 37/);
    }, 120_000);

    it("cancels a queued (held) and a running job with qdel", async () => {
      const p = await project({ binDir: wrapperDir });
      const manifest = JSON.parse(await p.render("sge-test", ["t_long", "t_ok"]));
      // Hold the second job so it stays queued.
      manifest.jobs[1].submit.argv.splice(1, 0, "-h");
      await p.pbs(["submit"], JSON.stringify(manifest));
      await p.waitFor({ t_long: ["running"], t_ok: ["queued"] }, 60_000);
      const cancel = JSON.parse((await p.pbs(["cancel", "--all"])).stdout);
      expect(cancel.cancelled).toHaveLength(2);
      await p.waitFor({ t_long: ["deleted"], t_ok: ["deleted"] }, 60_000);
    }, 120_000);

    it("retries while qmaster is down, says so clearly, and never records a job twice", async () => {
      const p = await project({ binDir: wrapperDir });
      const manifest = await p.render("sge-test", ["t_ok"]);
      const pid = readFileSync("/var/run/gridengine/qmaster.pid", "utf8").trim();
      spawnSync("kill", [pid]);
      for (let i = 0; i < 40 && schedulerUp(["qstat"]); i++) await new Promise((r) => setTimeout(r, 500));
      try {
        const down = await p.pbs(["submit", "--retries", "2", "--backoff-ms", "200"], manifest);
        expect(down.exitCode).toBe(1);
        expect(down.stderr).toMatch(/retry 1\/2/);
        expect(down.stderr).toMatch(/qsub failed with exit code \d+ after 3 attempts: qsub -g tga-test/);
        expect(submissions(readLedger(p.ledger).entries)).toHaveLength(0);
        // Bring qmaster back while the next submission is still retrying.
        const restart = setTimeout(startQmaster, 1500);
        const back = await p.pbs(["submit", "--retries", "8", "--backoff-ms", "1000"], manifest);
        clearTimeout(restart);
        expect(back.stderr).toMatch(/1 submitted/);
        expect(submissions(readLedger(p.ledger).entries)).toHaveLength(1);
        await p.waitFor({ t_ok: ["done"] }, 60_000);
        expect(JSON.parse((await p.pbs(["submit"], manifest)).stdout).outcomes[0].status).toBe("skipped");
        expect(submissions(readLedger(p.ledger).entries)).toHaveLength(1);
      } finally {
        if (!schedulerUp(["qstat"])) startQmaster();
      }
    }, 180_000);
  },
);
