import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { LedgerRunLineSchema } from "@sweval/job-renderer/schema";
import { describe, expect, it } from "vitest";
import { readLedger } from "../src/index.js";
import { type Project, project, schedulerUp } from "./helpers.js";

const sge = schedulerUp(["qstat"]);
const slurm = schedulerUp(["sinfo"]);
const wrapperDir = new URL("./fixtures/bin", import.meta.url).pathname;

/**
 * Runs t_nap once per nap length (resubmitting with --force) and, on Grid Engine (whose h_rt is in seconds; Slurm
 * counts whole minutes), t_slow into its h_rt, each to its end.
 */
async function makeHistory(p: Project, cluster: string, naps: number[], options: { timeout: boolean }) {
  const manifest = await p.render(cluster, ["t_nap"]);
  for (const nap of naps) {
    writeFileSync(join(p.root, "nap"), String(nap));
    expect((await p.pbs(["submit", "--force"], manifest)).exitCode).toBe(0);
    await p.waitFor({ t_nap: ["done"] }, 60_000);
  }
  if (!options.timeout) return;
  await p.pbs(["submit"], await p.render(cluster, ["t_slow"]));
  await p.waitFor({ t_slow: ["timeout"] }, 90_000);
}

/** What the history teaches: t_nap's h_rt from its run times, t_slow's raised by its timeout. */
async function expectLearned(p: Project, cluster: string, naps: number[], options: { timeout: boolean }) {
  const settled = readLedger(p.ledger).entries.filter((entry) => entry.event === "settled");
  // Every settled line carries the run time accounting gave (qacct ru_wallclock / sacct ElapsedRaw).
  const napRuns = settled.filter((entry) => entry.state === "done").map((entry) => entry.elapsedSeconds ?? -1);
  expect(napRuns).toHaveLength(naps.length);
  for (const [index, nap] of naps.entries()) {
    expect(napRuns[index]).toBeGreaterThanOrEqual(nap);
    expect(napRuns[index]).toBeLessThan(nap + 5);
  }
  // The renderer reads the ledger sweval-pbs wrote: each of its lines satisfies the renderer's reading of them.
  for (const entry of readLedger(p.ledger).entries)
    if (entry.event === "submitted" || entry.event === "settled") expect(LedgerRunLineSchema.safeParse(entry).success).toBe(true);

  const learned = JSON.parse(await p.render(cluster, ["t_nap", "t_slow"], [], ["--walltime", "learned"]));
  if (!options.timeout) {
    // No history for t_slow: its static walltime stays, and the manifest says so.
    expect(learned.jobs[1].walltimeFrom).toEqual({ source: "static", staticSeconds: 4, samples: 0, timeouts: 0, expectedSeconds: null });
    expect(learned.jobs[1].walltimeSeconds).toBe(4);
  }
  const [nap, slow] = learned.jobs;
  // 90th percentile (nearest rank: the largest of three) + max(20 %, 5 min), rounded up to the minute.
  const p90 = Math.max(...napRuns);
  expect(nap.walltimeSeconds).toBe(Math.ceil((p90 + Math.max(0.2 * p90, 300)) / 60) * 60);
  expect(nap.walltimeFrom).toEqual({
    source: "learned",
    staticSeconds: 7200,
    samples: naps.length,
    timeouts: 0,
    expectedSeconds: [...napRuns].sort((a, b) => a - b)[1],
  });
  if (options.timeout) {
    // t_slow timed out at its 4 s: 1.5 × 4 s, rounded up to the minute, though it never finished.
    expect(slow.walltimeSeconds).toBe(60);
    expect(slow.walltimeFrom).toMatchObject({ source: "learned", staticSeconds: 4, samples: 0, timeouts: 1 });
  }
  return learned;
}

describe.skipIf(!sge && !process.env.CI)(
  sge ? "walltimes learned from a real Grid Engine's accounting" : "learned walltimes on SGE (skipped: qstat does not answer)",
  () => {
    it("qacct's run times go into the ledger; sweval-render --walltime learned sets h_rt from them", async () => {
      const p = await project({ binDir: wrapperDir });
      const naps = [2, 3, 5];
      await makeHistory(p, "sge-test", naps, { timeout: true });
      const learned = await expectLearned(p, "sge-test", naps, { timeout: true });
      expect(learned.jobs[0].submit.argv).toContain(`h_rt=${learned.jobs[0].walltime}`);
      expect(learned.jobs[0].walltime).toBe("00:06:00");
    }, 300_000);
  },
);

describe.skipIf(!slurm && !process.env.CI)(
  slurm ? "walltimes learned from a real Slurm's accounting" : "learned walltimes on Slurm (skipped: sinfo does not answer)",
  () => {
    it("scontrol/sacct run times go into the ledger; sweval-render --walltime learned sets --time from them", async () => {
      const p = await project();
      const naps = [1, 2, 4];
      await makeHistory(p, "slurm-test", naps, { timeout: false });
      const learned = await expectLearned(p, "slurm-test", naps, { timeout: false });
      expect(learned.jobs[0].walltime).toBe("00:06:00");
    }, 300_000);
  },
);
