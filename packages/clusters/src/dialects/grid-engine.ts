import type { JobState } from "../schema.js";
import {
  type AccountingInfo,
  type Dialect,
  insertAfterCommand,
  nameDotJobIdLogs,
  type QueueInfo,
  type SchedulerAnswer,
  type SchedulerControl,
} from "./types.js";

/** `-hold_jid a,b`: waits for the jobs to leave the queue, whatever their exit status (as V5's resub does). */
function holdFor(argv: readonly string[], after: readonly string[]): string[] {
  return after.length === 0 ? [...argv] : insertAfterCommand(argv, ["-hold_jid", after.join(",")]);
}

/** Son of Grid Engine and TSUBAME4's Altair Grid Engine (qsub, qstat -xml, qacct, qdel); legacy-workflow §1.3. */
export const gridEngine: Dialect = {
  scheduler: "grid-engine",
  directives: (_job, { cluster }) => ["#$ -S /bin/bash", "#$ -cwd", ...cluster.jobHeader],
  logPaths: nameDotJobIdLogs,
  submitArgv(job, { cluster, group }, options = {}) {
    const argv = [
      "qsub",
      ...(cluster.group && group ? [cluster.group.flag, group] : []),
      "-l",
      job.resources.request ?? `${job.resources.nodeKind}=1`,
      ...(job.priority !== null ? ["-p", String(job.priority)] : []),
      "-N",
      job.name,
      "-l",
      `h_rt=${job.walltime}`,
      "-o",
      job.logDir,
      "-e",
      job.logDir,
      // V5 qsub_all.sh: -ar <AR_ID> after the log dirs.
      ...(job.reservation ? ["-ar", job.reservation] : []),
      job.script,
    ];
    return holdFor(argv, options.after ?? []);
  },
  withDependencies: holdFor,
  reservations: true,
  control: {
    parseSubmitOutput: (answer) =>
      /Your job(?:-array)? (\d+)/.exec(answer.stdout)?.[1] ?? /^\s*(\d+)(?:\.\d+-\d+:\d+)?\s*$/.exec(answer.stdout)?.[1] ?? null,
    isTransient: (answer) =>
      /unable to contact qmaster|commlib error|failed receiving gdi request|can't connect|got no connection|qmaster is not alive|no route to host/i.test(
        answer.stderr + answer.stdout,
      ),
    queueArgv: ["qstat", "-xml", "-u", "*"],
    parseQueue: parseQstatXml,
    accountingQueries: (id) => [
      { argv: ["qacct", "-j", id], parse: (answer: SchedulerAnswer) => (answer.exitCode === 0 ? parseQacct(answer.stdout) : null) },
    ],
    cancelArgv: (id) => ["qdel", id],
    // Every finished job of the user in one read of the accounting file, instead of one qacct per job.
    bulkAccounting: [{ argv: (_ids, user) => ["qacct", "-o", user, "-j"], parse: parseQacctAll }],
    // A job leaves qstat the moment it ends; qacct finds it by name.
    endedByName: { argv: (name) => ["qacct", "-j", name], parse: parseQacctJobs },
  } satisfies SchedulerControl,
};

/** Jobs in `qstat -xml` (SGE and UGE/AGE; extra elements such as jclass_name are ignored). */
export function parseQstatXml(xml: string, now: number): Map<string, QueueInfo> {
  const jobs = new Map<string, QueueInfo>();
  for (const block of xml.match(/<job_list[\s\S]*?<\/job_list>/g) ?? []) {
    const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(block)?.[1]?.trim();
    const id = field("JB_job_number");
    const raw = field("state") ?? "";
    if (!id || jobs.has(id)) continue;
    const started = field("JAT_start_time");
    const startedAt = started ? Date.parse(started) : Number.NaN;
    const submitted = field("JB_submission_time");
    const submittedAt = submitted ? Date.parse(submitted) : startedAt;
    jobs.set(id, {
      state: gridEngineState(raw),
      raw,
      elapsedSeconds: Number.isFinite(startedAt) ? Math.max(0, Math.round((now - startedAt) / 1000)) : null,
      name: field("JB_name") ?? null,
      submittedAt: Number.isFinite(submittedAt) ? submittedAt : null,
    });
  }
  return jobs;
}

/** Grid Engine state letters: E error, d deleting, t transferring, r/s running, qw/hqw waiting. */
export function gridEngineState(raw: string): JobState {
  if (raw.includes("E")) return "error";
  if (raw.includes("d")) return "deleted";
  if (raw.includes("t")) return "transferring";
  if (/[rRsS]/.test(raw)) return "running";
  return "queued";
}

/** Every job in a `qacct -j` listing, by id, as `parseQacct` reads its last record. */
export function parseQacctAll(text: string): Map<string, AccountingInfo> {
  const byId = new Map<string, string>();
  for (const record of text.split(/^=+$/m)) {
    const id = /^jobnumber\s+(\S+)/m.exec(record)?.[1];
    if (id) byId.set(id, record);
  }
  const jobs = new Map<string, AccountingInfo>();
  for (const [id, record] of byId) {
    const info = parseQacct(`==\n${record}`);
    if (info) jobs.set(id, info);
  }
  return jobs;
}

/** Every record of `qacct -j NAME`: job ids and when each was submitted. */
export function parseQacctJobs(text: string): Array<{ id: string; submittedAt: number | null }> {
  return text
    .split(/^=+$/m)
    .filter((record) => /jobnumber/.test(record))
    .map((record) => {
      const field = (name: string) => new RegExp(`^${name}\\s+(.*)$`, "m").exec(record)?.[1]?.trim() ?? "";
      const submittedAt = Date.parse(field("qsub_time"));
      return { id: field("jobnumber"), submittedAt: Number.isFinite(submittedAt) ? submittedAt : null };
    })
    .filter((job) => job.id !== "");
}

/** The last record of `qacct -j ID`: failed 37 (or exit 137 after h_rt) is a timeout, failed 100 + 137 a qdel. */
export function parseQacct(text: string): AccountingInfo | null {
  const records = text.split(/^=+$/m).filter((record) => /jobnumber/.test(record));
  const record = records.at(-1);
  if (!record) return null;
  const field = (name: string) => new RegExp(`^${name}\\s+(.*)$`, "m").exec(record)?.[1]?.trim() ?? "";
  const failed = field("failed");
  const failedCode = Number(/^(\d+)/.exec(failed)?.[1] ?? "0");
  const exitStatus = Number(/^(-?\d+)/.exec(field("exit_status"))?.[1] ?? "0");
  // ru_wallclock is "3s" on SGE 8.1, "3" or "3.000" elsewhere; the start and end times when it is absent.
  const wallclock = /^(\d+(?:\.\d+)?)s?$/.exec(field("ru_wallclock"))?.[1];
  const span = (Date.parse(field("end_time")) - Date.parse(field("start_time"))) / 1000;
  const elapsedSeconds = wallclock !== undefined ? Math.round(Number(wallclock)) : Number.isFinite(span) && span >= 0 ? span : null;
  return { ...qacctOutcome(failed, failedCode, exitStatus), exitStatus, elapsedSeconds };
}

function qacctOutcome(failed: string, failedCode: number, exitStatus: number): Pick<AccountingInfo, "outcome" | "reason"> {
  if (failedCode === 37 || /h_rt|wallclock/i.test(failed)) return { outcome: "timeout", reason: `qacct: failed ${failed}` };
  if (failedCode === 100 && exitStatus === 137) return { outcome: "deleted", reason: "qacct: killed (qdel)" };
  if (failedCode !== 0) return { outcome: "error", reason: `qacct: failed ${failed}` };
  if (exitStatus !== 0) return { outcome: "error", reason: `qacct: exit_status ${exitStatus}` };
  return { outcome: "finished", reason: "qacct: exit_status 0" };
}
