import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { appendLedger, LEDGER_KIND, type LedgerEntry, readLedger } from "../src/index.js";
import { project } from "./helpers.js";

const job = {
  id: "org/m/t_ok",
  name: "t_ok",
  after: [],
  model: "org/m",
  litellmModel: "hosted_vllm/org/m",
  customSettings: null,
  planPath: "/plan.json",
  planFingerprint: "f",
  script: "/x.sh",
  tasks: ["t_ok"],
  resources: { nodeKind: "gpu_1", gpus: 1, request: null },
  walltime: "00:01:00",
  walltimeSeconds: 60,
  priority: null,
  costFactor: null,
  logDir: "/",
  stdout: "/o{jobId}",
  stderr: "/e{jobId}",
  submit: { argv: ["bash", "/x.sh"] },
};

const entry = (jobId: string): LedgerEntry => ({
  kind: LEDGER_KIND,
  version: 2,
  event: "submitted",
  at: "2026-11-28T00:00:00.000Z",
  jobId,
  user: "u",
  scheduler: "local",
  cluster: "local",
  argv: ["bash", "/x.sh"],
  job,
});

/** A line as version 1 of sweval-pbs wrote it. */
const v1Line = (jobId: string) =>
  JSON.stringify({
    kind: LEDGER_KIND,
    version: 1,
    event: "submitted",
    at: "2026-11-28T00:00:00.000Z",
    jobId,
    scheduler: "local",
    cluster: "local",
    name: "t_ok",
    model: "org/m",
    customSettings: null,
    tasks: ["t_ok"],
    script: "/x.sh",
    planPath: "/plan.json",
    planFingerprint: "f",
    stdout: "/o{jobId}",
    stderr: "/e{jobId}",
    logDir: "/",
    walltimeSeconds: 5400,
    argv: ["bash", "/x.sh"],
    user: "u",
  });

describe("the ledger", () => {
  it("ignores a torn last line with a warning and starts the next entry on a new line", async () => {
    const file = join(await testdir(), "ledger.jsonl");
    appendLedger(file, [entry("1")]);
    appendFileSync(file, '{"kind":"sweval/ledger-entry","version":1,"event":"subm');
    const torn = readLedger(file);
    expect(torn.entries.map((e) => e.jobId)).toEqual(["1"]);
    expect(torn.warnings[0]).toMatch(/ledger\.jsonl:2: torn last line/);
    appendLedger(file, [entry("2")]);
    const after = readLedger(file);
    expect(after.entries.map((e) => e.jobId)).toEqual(["1", "2"]);
    expect(readFileSync(file, "utf8").split("\n")).toHaveLength(4);
  });

  it("shows a torn ledger on the board with a warning instead of crashing", async () => {
    const p = await project();
    await p.pbs(["submit"], await p.render("local", ["t_ok"]));
    appendFileSync(p.ledger, '{"kind":"sweval/ledger');
    const result = await p.pbs(["status"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/warning: .*torn last line/);
    expect(result.stdout).toMatch(/t_ok/);
  }, 30_000);

  it("keeps one submission per task when two people submit the same plan at once", async () => {
    const p = await project();
    const manifest = await p.render("local", ["t_ok", "t_warn"]);
    const [a, b] = await Promise.all([p.pbs(["submit"], manifest), p.pbs(["submit"], manifest)]);
    const statuses = [...JSON.parse(a.stdout).outcomes, ...JSON.parse(b.stdout).outcomes].map((o: { status: string }) => o.status).sort();
    expect(statuses).toEqual(["skipped", "skipped", "submitted", "submitted"]);
    expect(readLedger(p.ledger).entries).toHaveLength(2);
  }, 30_000);

  it("reads version 1 lines as version 2 (history is never rewritten) beside version 2 lines", async () => {
    const file = join(await testdir(), "l.jsonl");
    writeFileSync(file, `${v1Line("7")}\n${JSON.stringify(entry("8"))}\n`);
    const { entries, warnings } = readLedger(file);
    expect(warnings).toEqual([]);
    expect(entries.map((e) => [e.version, e.jobId, e.job.name, e.job.walltime])).toEqual([
      [2, "7", "t_ok", "01:30:00"],
      [2, "8", "t_ok", "00:01:00"],
    ]);
    expect(entries[0]?.job).toMatchObject({ script: "/x.sh", tasks: ["t_ok"], stdout: "/o{jobId}", submit: { argv: ["bash", "/x.sh"] } });
  });

  it("skips, naming file and line, an entry that looks valid but lacks fields", async () => {
    const file = join(await testdir(), "l.jsonl");
    const { job: _job, ...withoutJob } = entry("3");
    writeFileSync(file, `${JSON.stringify(withoutJob)}\n${JSON.stringify(entry("4"))}\n`);
    const { entries, warnings } = readLedger(file);
    expect(entries.map((e) => e.jobId)).toEqual(["4"]);
    expect(warnings).toEqual([expect.stringMatching(/l\.jsonl:1: unreadable line skipped \(job: /)]);
  });

  it("writes nothing to a ledger that a bad line precedes, and reads on", async () => {
    const file = join(await testdir(), "l.jsonl");
    writeFileSync(file, `not json\n${JSON.stringify(entry("9"))}\n`);
    expect(readLedger(file)).toMatchObject({
      entries: [{ jobId: "9" }],
      warnings: [expect.stringMatching(/l\.jsonl:1: unreadable line skipped/)],
    });
  });
});
