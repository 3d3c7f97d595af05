import { join } from "node:path";
import { testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { buildBoard, type Exec, LEDGER_KIND, type SettledEntry, type SubmittedEntry } from "../src/index.js";

/** A Grid Engine ledger of `cells` tasks with `attempts` submissions each, the newest of each done. */
function ledger(cells: number, attempts: number, log: string): SubmittedEntry[] {
  return Array.from({ length: cells * attempts }, (_, i) => {
    const task = `t${Math.floor(i / attempts)}`;
    return {
      kind: LEDGER_KIND,
      version: 2,
      event: "submitted",
      at: "2026-11-28T00:00:00.000Z",
      jobId: String(100 + i),
      user: "u",
      scheduler: "grid-engine",
      cluster: "sge",
      argv: ["qsub", "/x.sh"],
      job: {
        id: `m/${task}`,
        name: task,
        after: [],
        model: "org/m",
        litellmModel: "hosted_vllm/org/m",
        customSettings: null,
        planPath: "/plan.json",
        planFingerprint: "0000000000000000",
        script: "/x.sh",
        tasks: [task],
        resources: { nodeKind: "node_q", gpus: 1, request: "node_q=1" },
        walltime: "01:00:00",
        walltimeSeconds: 3600,
        priority: null,
        costFactor: null,
        logDir: "/",
        stdout: log,
        stderr: log,
        submit: { argv: ["qsub", "/x.sh"] },
      },
    } satisfies SubmittedEntry;
  });
}

/** qstat and qacct as Grid Engine answers them (every job finished, exit 0), counting each command. */
function scheduler() {
  const calls: string[] = [];
  const record = (id: string) =>
    `==============================================================\nqname all.q\njobname t\njobnumber ${id}\nfailed 0\nexit_status 0\n`;
  const exec: Exec = async (argv) => {
    calls.push(argv.join(" "));
    if (argv[0] === "qstat")
      return { exitCode: 0, stdout: "<?xml version='1.0'?><job_info><queue_info/><job_info/></job_info>", stderr: "" };
    if (argv[0] === "qacct" && argv.at(-1) === "-j")
      return { exitCode: 0, stdout: Array.from({ length: 1000 }, (_, i) => record(String(100 + i))).join(""), stderr: "" };
    return { exitCode: 0, stdout: record(argv.at(-1) as string), stderr: "" };
  };
  return { exec, calls };
}

describe("the board on a long ledger", () => {
  it("reads accounting in one bulk command, keeps the final states, and asks nothing about them the next time", async () => {
    const dir = await testdir({ "job.log": "✅ Result aggregation was successfully done.\n" });
    const entries = ledger(50, 10, join(dir, "job.log"));
    const { exec, calls } = scheduler();
    const settled: SettledEntry[] = [];
    const board = await buildBoard({ entries, exec, localStateDir: dir, settle: (found) => settled.push(...found) });
    expect(board.cells).toHaveLength(50);
    expect(board.cells.every((cell) => cell.state === "done")).toBe(true);
    expect(calls.filter((c) => c.startsWith("qacct"))).toEqual([
      `qacct -o ${calls.find((c) => c.startsWith("qacct -o"))?.split(" ")[2]} -j`,
    ]);
    // Only each cell's newest (done) job was decided; its final state is kept.
    expect(settled.map((s) => s.jobId).sort()).toEqual(board.cells.map((c) => c.jobId).sort());
    const again = scheduler();
    const warm = await buildBoard({ entries: [...entries, ...settled], exec: again.exec, localStateDir: dir });
    expect(warm.cells.map((c) => [c.task, c.state])).toEqual(board.cells.map((c) => [c.task, c.state]));
    expect(again.calls).toEqual(["qstat -xml -u *"]);
  });

  it("looks at no more than a cell's 10 newest attempts", async () => {
    const dir = await testdir({ "job.log": "Traceback (most recent call last):\n" });
    const entries = ledger(1, 40, join(dir, "job.log"));
    const { exec, calls } = scheduler();
    const board = await buildBoard({ entries, exec, localStateDir: dir });
    expect(board.cells[0]).toMatchObject({ state: "error", jobIds: entries.map((e) => e.jobId) });
    // Too few to read in bulk: one query each, and no more than ten.
    expect(calls.filter((c) => c.startsWith("qacct"))).toHaveLength(10);
  });
});
