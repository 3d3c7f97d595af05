import { describe, expect, it } from "vitest";
import { expectAggregationAfterOthers, expectJobLeavesNoProcess, project, schedulerUp } from "./helpers.js";

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

  it("cancels a running job with scancel", async () => {
    const p = await project();
    await p.pbs(["submit"], await p.render("slurm-test", ["t_long"]));
    await p.waitFor({ t_long: ["running"] }, 60_000);
    await p.pbs(["cancel", "t_long"]);
    const board = await p.waitFor({ t_long: ["deleted"] }, 60_000);
    expect(board.cells[0]?.reason).toMatch(/CANCELLED/);
  }, 120_000);
});
