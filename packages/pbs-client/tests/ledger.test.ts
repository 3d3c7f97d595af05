import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { appendLedger, LEDGER_KIND, readLedger, type SubmittedEntry, submissions, withLedgerLock } from "../src/index.js";
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

const entry = (jobId: string): SubmittedEntry => ({
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
    const tornEntries = submissions(torn.entries);
    expect(tornEntries.map((e) => e.jobId)).toEqual(["1"]);
    expect(torn.warnings[0]).toMatch(/ledger\.jsonl:2: torn last line/);
    appendLedger(file, [entry("2")]);
    const after = readLedger(file);
    expect(submissions(after.entries).map((e) => e.jobId)).toEqual(["1", "2"]);
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
    expect(submissions(readLedger(p.ledger).entries)).toHaveLength(2);
  }, 30_000);

  it("reads version 1 lines as version 2 (history is never rewritten) beside version 2 lines", async () => {
    const file = join(await testdir(), "l.jsonl");
    writeFileSync(file, `${v1Line("7")}\n${JSON.stringify(entry("8"))}\n`);
    const { warnings, entries: all } = readLedger(file);
    const entries = submissions(all);
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
    const { warnings, entries: all } = readLedger(file);
    const entries = submissions(all);
    expect(entries.map((e) => e.jobId)).toEqual(["4"]);
    expect(warnings).toEqual([expect.stringMatching(/l\.jsonl:1: unreadable line skipped \(job: /)]);
  });

  it("refuses a ledger that is a directory (exit 2, named), instead of crashing", async () => {
    const p = await project();
    mkdirSync(p.ledger, { recursive: true });
    for (const args of [["status"], ["submit"]]) {
      const result = await p.pbs(args, args[0] === "submit" ? await p.render("local", ["t_ok"]) : undefined);
      expect([result.exitCode, result.stdout]).toEqual([2, ""]);
      expect(result.stderr).toContain(`${p.ledger}: the ledger is a directory`);
    }
  }, 30_000);

  const canMount = process.getuid?.() === 0 && spawnSync("mount", ["--version"]).status === 0;
  it.skipIf(!canMount)(
    canMount
      ? "on a full disk (ENOSPC) fails clearly (exit 1), submits nothing, and submits each job once when there is room again"
      : "on a full disk (skipped: mounting a small tmpfs needs root)",
    async () => {
      const p = await project();
      const disk = join(p.root, "full");
      mkdirSync(disk);
      expect(spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", disk]).status).toBe(0);
      try {
        const ledger = join(disk, "ledger.jsonl");
        // Fill the disk but for a few hundred bytes: less than one ledger line.
        spawnSync("dd", ["if=/dev/zero", `of=${join(disk, "filler")}`, "bs=1k", "count=64"]);
        spawnSync("truncate", ["-s", "-300", join(disk, "filler")]);
        const manifest = await p.render("local", ["t_ok", "t_warn"]);
        const full = await p.pbs(["submit", "--ledger", ledger], manifest);
        expect(full.exitCode).toBe(1);
        expect(full.stderr).toMatch(/ledger.*: no space left on the device \(ENOSPC\)/);
        expect(full.stdout).toBe("");
        const jobsDir = join(p.env.SWEVAL_LOCAL_STATE_DIR as string, "jobs");
        expect(existsSync(jobsDir) ? readdirSync(jobsDir) : []).toEqual([]);
        expect(existsSync(`${ledger}.lock`)).toBe(false);
        // One page free: the lock is taken, but the ledger line (the intent, written before any submission) is not.
        spawnSync("truncate", ["-s", "-3796", join(disk, "filler")]);
        const lineFails = await p.pbs(["submit", "--ledger", ledger], manifest);
        expect(lineFails.exitCode).toBe(1);
        expect(lineFails.stderr).toMatch(/cannot record in the ledger: no space left on the device \(ENOSPC\)/);
        expect(JSON.parse(lineFails.stdout).outcomes.map((o: { status: string }) => o.status)).toEqual(["failed", "failed"]);
        expect(existsSync(jobsDir) ? readdirSync(jobsDir) : []).toEqual([]);
        expect(existsSync(`${ledger}.lock`)).toBe(false);
        rmSync(join(disk, "filler"));
        const retry = await p.pbs(["submit", "--ledger", ledger], manifest);
        expect(retry.stderr).toMatch(/2 submitted, 0 skipped, 0 failed/);
        expect(submissions(readLedger(ledger).entries).map((e) => e.job.name)).toEqual(["t_ok", "t_warn"]);
        expect(readdirSync(jobsDir).filter((name) => name.endsWith(".json"))).toHaveLength(2);
      } finally {
        spawnSync("umount", ["-l", disk]);
      }
    },
    30_000,
  );

  it("takes over a lock whose holder died (SIGKILL) at once, and waits for a live one", async () => {
    const file = join(await testdir(), "ledger.jsonl");
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid as number;
    mkdirSync(`${file}.lock`);
    writeFileSync(`${file}.lock/owner.json`, JSON.stringify({ pid: dead, host: hostname(), at: new Date().toISOString() }));
    expect(await withLedgerLock(file, async () => "taken", { timeoutMs: 1000 })).toBe("taken");
    expect(existsSync(`${file}.lock`)).toBe(false);
    mkdirSync(`${file}.lock`);
    writeFileSync(`${file}.lock/owner.json`, JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString() }));
    await expect(withLedgerLock(file, async () => "taken", { timeoutMs: 500 })).rejects.toThrow(
      /another sweval-pbs holds .*ledger\.jsonl\.lock \(pid \d+ on /,
    );
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
