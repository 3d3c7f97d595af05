import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sharedRoot, skipNote } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import {
  type Dialect,
  gridEngine as gridEngineDialect,
  parsePbsAccounting,
  parsePbsQstatJson,
  parseQacct,
  parseQstatXml,
  parseSacct,
  parseSacctAll,
  parseScontrolJob,
  parseSqueue,
  pbsPro as pbsProDialect,
  type SchedulerControl,
  slurm as slurmDialect,
} from "../src/index.js";

function controlOf(dialect: Dialect): SchedulerControl {
  if (!dialect.control) throw new Error(`${dialect.scheduler} has no scheduler commands`);
  return dialect.control;
}
const gridEngine = controlOf(gridEngineDialect);
const slurm = controlOf(slurmDialect);
const pbsPro = controlOf(pbsProDialect);

const samples = join(sharedRoot, "schedulers/samples");
const have = skipNote(existsSync(samples), "the parsers on real scheduler output", `${samples} is absent (../shared beside the repo)`);
const sample = (path: string) => readFileSync(join(samples, path), "utf8");
const result = (stdout: string, stderr = "", exitCode = 0) => ({ stdout, stderr, exitCode });

describe.skipIf(!have)(
  have ? "parsers on real scheduler output" : "parsers on real scheduler output (skipped: ../shared/schedulers/samples is absent)",
  () => {
    it("reads job ids from qsub and sbatch answers", () => {
      expect(gridEngine.parseSubmitOutput(result(sample("sge/qsub-submitted.txt")))).toBe("2");
      expect(gridEngine.parseSubmitOutput(result(sample("sge/qsub-terse.txt")))).toBe("5");
      expect(slurm.parseSubmitOutput(result(sample("slurm/sbatch-parsable.txt")))).toMatch(/^\d+$/);
      expect(slurm.parseSubmitOutput(result(sample("slurm/sbatch-array-submitted.txt")))).toBe("6");
    });

    it("reads states from qstat -xml, once per job id", () => {
      const jobs = parseQstatXml(sample("sge/qstat.xml"), Date.parse("2026-11-28T10:57:22"));
      expect(jobs.get("2")).toEqual({
        state: "running",
        raw: "r",
        elapsedSeconds: 60,
        name: "hello",
        submittedAt: Date.parse("2026-11-28T10:56:22"),
      });
      expect(jobs.get("6")).toMatchObject({ state: "queued", name: "tarr", submittedAt: Date.parse("2026-11-28T10:56:23") });
      expect([...jobs.values()].some((job) => job.state === "queued")).toBe(true);
      expect(parseQstatXml(sample("sge/qstat-empty.xml"), 0).size).toBe(0);
    });

    it.each([
      ["sge/qacct-j-completed.txt", "finished", 0],
      ["sge/qacct-j-exit3.txt", "error", 3],
      ["sge/qacct-j-h_rt-exceeded.txt", "timeout", 137],
      ["sge/qacct-j-qdel-running.txt", "deleted", 137],
    ])("reads %s as %s", (file, outcome, exitStatus) => {
      expect(parseQacct(sample(file))).toMatchObject({ outcome, exitStatus });
    });

    it("reads the run time accounting recorded: qacct ru_wallclock, scontrol RunTime", () => {
      expect(parseQacct(sample("sge/qacct-j-completed.txt"))?.elapsedSeconds).toBe(20);
      expect(parseQacct(sample("sge/qacct-j-h_rt-exceeded.txt"))?.elapsedSeconds).toBe(4);
      expect(parseScontrolJob(sample("slurm/scontrol-show-job-completed.txt"))?.elapsedSeconds).toBe(20);
      expect(parseScontrolJob(sample("slurm/scontrol-show-job-timeout.txt"))).toMatchObject({ outcome: "timeout", elapsedSeconds: 83 });
    });

    it("reads squeue and leaves terminal states to accounting", () => {
      // The sample was taken with -o '%i|%j|%T|%r|%M|%l|%S|%e'; sweval asks for '%i|%T|%M|%j|%V'.
      const lines = sample("slurm/squeue-t-all.txt").trim().split("\n").slice(1);
      const jobs = parseSqueue(
        lines
          .map((line) => {
            const f = line.split("|");
            return [f[0], f[2], f[4], f[1], f[6]].join("|");
          })
          .join("\n"),
      );
      expect(lines.some((line) => line.startsWith("8|") && line.includes("CANCELLED"))).toBe(true);
      expect(jobs.has("8")).toBe(false);
      expect(parseSqueue("5|RUNNING|1:05|ja_gpqa|2026-11-28T10:56:22\n6|PENDING|0:00|x|N/A\n").get("5")).toEqual({
        state: "running",
        raw: "RUNNING",
        elapsedSeconds: 65,
        name: "ja_gpqa",
        submittedAt: Date.parse("2026-11-28T10:56:22"),
      });
      expect(parseSqueue("6|PENDING|0:00\n").get("6")).toMatchObject({ state: "queued", name: null, submittedAt: null });
    });

    it.each([
      ["sge/qsub-error-g-option.txt.stderr", false],
      ["sge/qsub-error-unknown-resource.txt.stderr", false],
      ["sge/qsub-error-bad-h_rt.txt.stderr", false],
    ])("does not retry %s (a refusal, not an outage)", (file, transient) => {
      expect(gridEngine.isTransient(result("", sample(file), 1))).toBe(transient);
    });
  },
);

describe("run times in accounting", () => {
  it("sacct's ElapsedRaw, qacct's start and end when ru_wallclock is absent, PBS resources_used.walltime", () => {
    expect(parseSacctAll("13|COMPLETED|0:0|1234\n14|TIMEOUT|0:15|600\n").get("14")).toMatchObject({
      outcome: "timeout",
      elapsedSeconds: 600,
    });
    expect(parseSacct("13|COMPLETED|0:0|1234", "13")?.elapsedSeconds).toBe(1234);
    const qacct =
      "==============================================================\njobnumber    9\nstart_time   Sat Nov 28 10:56:22 2026\nend_time     Sat Nov 28 10:58:02 2026\nfailed       0\nexit_status  0\n";
    expect(parseQacct(qacct)?.elapsedSeconds).toBe(100);
    const pbs = JSON.stringify({ Jobs: { "7.pbs1": { job_state: "F", Exit_status: 0, resources_used: { walltime: "01:02:03" } } } });
    expect(parsePbsAccounting(pbs, "7.pbs1")).toEqual({
      outcome: "finished",
      exitStatus: 0,
      reason: "pbs: Exit_status 0",
      elapsedSeconds: 3723,
    });
  });
});

describe("transient errors", () => {
  it.each([
    [
      gridEngine,
      'error: commlib error: got select error (Connection refused)\nunable to contact qmaster using port 6444 on host "vm"',
      true,
    ],
    [gridEngine, 'Unable to run job: "job" denied: use parallel environments instead of requesting slots explicitly.', false],
    [slurm, "sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)", true],
    [slurm, "sbatch: error: Invalid generic resource (gres) specification", false],
    [pbsPro, "qsub: cannot connect to server pbs1 (errno=111)", true],
    [pbsPro, "qsub: Unknown queue", false],
  ])("%#: %s", (adapter, stderr, transient) => {
    expect(adapter.isTransient(result("", stderr, 1))).toBe(transient);
  });
});

describe("PBS Pro (documented formats; PBS is not installable here)", () => {
  const qstat = JSON.stringify({
    timestamp: 1764300000,
    pbs_version: "2022.1.1",
    pbs_server: "pbs1",
    Jobs: {
      "101.pbs1": {
        Job_Name: "ja_gpqa",
        job_state: "R",
        resources_used: { walltime: "00:12:30" },
        Resource_List: { walltime: "00:30:00" },
      },
      "102.pbs1": { Job_Name: "ja_mmlu", job_state: "Q" },
      "103.pbs1": { Job_Name: "en_math_500", job_state: "F", Exit_status: 0 },
    },
  });

  it("reads qsub's answer and qstat -f -F json", () => {
    expect(pbsPro.parseSubmitOutput(result("101.pbs1\n"))).toBe("101.pbs1");
    const jobs = parsePbsQstatJson(qstat);
    expect(jobs.get("101.pbs1")).toEqual({ state: "running", raw: "R", elapsedSeconds: 750, name: "ja_gpqa", submittedAt: null });
    expect(jobs.get("102.pbs1")?.state).toBe("queued");
    expect(jobs.has("103.pbs1")).toBe(false);
  });

  it.each([
    [0, "finished"],
    [3, "error"],
    [-29, "timeout"],
    [271, "deleted"],
  ])("reads Exit_status %i from qstat -x as %s", (exit, outcome) => {
    const text = JSON.stringify({ Jobs: { "7.pbs1": { job_state: "F", Exit_status: exit } } });
    expect(parsePbsAccounting(text, "7.pbs1")?.outcome).toBe(outcome);
  });
});
