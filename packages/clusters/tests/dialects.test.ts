import { describe, expect, it } from "vitest";
import { dialectFor, type JobRequest, SCHEDULERS, type SubmitContext } from "../src/index.js";

const job: JobRequest = {
  name: "ja_gpqa",
  script: "/jobs/ja_gpqa.sh",
  logDir: "/results/ja/gpqa",
  walltime: "00:30:00",
  resources: { nodeKind: "node_q", gpus: 1, request: "node_q=1" },
  priority: -5,
};
const context: SubmitContext = {
  cluster: { group: { env: "TSUBAME_GROUP", flag: "-g" }, queue: null, partition: "gpu", jobHeader: ["# site line"] },
  group: "tga-x",
};

describe("scheduler dialects", () => {
  it.each([
    ["grid-engine", ["qsub", "-hold_jid", "11,12", "-g", "tga-x", "-l", "node_q=1", "-p", "-5", "-N", "ja_gpqa", "-l", "h_rt=00:30:00"]],
    ["pbs-pro", ["qsub", "-W", "depend=afterany:11:12", "-g", "tga-x", "-q", "node_q", "-l", "node_q=1", "-N", "ja_gpqa"]],
    ["slurm", ["sbatch", "--dependency=afterany:11:12", "--parsable", "/jobs/ja_gpqa.sh"]],
    ["local", ["bash", "/jobs/ja_gpqa.sh"]],
  ] as const)("%s waits on the jobs it runs after in its own words", (scheduler, head) => {
    const dialect = dialectFor(scheduler);
    const argv = dialect.submitArgv(job, context, { after: ["11", "12"] });
    expect(argv.slice(0, head.length)).toEqual(head);
    expect(argv.at(-1)).toBe(job.script);
    expect(dialect.withDependencies(dialect.submitArgv(job, context), ["11", "12"])).toEqual(argv);
    expect(dialect.submitArgv(job, context, { after: [] })).toEqual(dialect.submitArgv(job, context));
  });

  it("keeps every directive in the dialect, the profile's own header lines last", () => {
    expect(dialectFor("grid-engine").directives(job, context)).toEqual(["#$ -S /bin/bash", "#$ -cwd", "# site line"]);
    expect(dialectFor("pbs-pro").directives(job, context)).toEqual(["#PBS -S /bin/bash", "# site line"]);
    expect(dialectFor("slurm").directives(job, context)).toEqual([
      "#SBATCH --job-name=ja_gpqa",
      "#SBATCH --time=00:30:00",
      "#SBATCH --nodes=1",
      "#SBATCH --output=/results/ja/gpqa/%x.o%j",
      "#SBATCH --error=/results/ja/gpqa/%x.e%j",
      "#SBATCH --gres=node_q=1",
      "#SBATCH --partition=gpu",
      "# site line",
    ]);
    expect(dialectFor("local").directives(job, context)).toEqual(["# site line"]);
  });

  it("names logs as each scheduler writes them", () => {
    expect(dialectFor("pbs-pro").logPaths("/l", "x")).toEqual({ stdout: "/l/{jobId}.OU", stderr: "/l/{jobId}.ER" });
    for (const scheduler of ["grid-engine", "slurm", "local"] as const)
      expect(dialectFor(scheduler).logPaths("/l", "x")).toEqual({ stdout: "/l/x.o{jobId}", stderr: "/l/x.e{jobId}" });
  });

  it("has commands for every scheduler but the local one, which sweval runs itself", () => {
    expect(SCHEDULERS.filter((s) => dialectFor(s).control === null)).toEqual(["local"]);
  });
});
