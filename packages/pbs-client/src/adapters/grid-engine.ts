import type { ExecResult } from "../exec.js";
import type { JobState } from "../schema.js";
import type { AccountingInfo, QueueInfo, SchedulerAdapter } from "./types.js";

/** Son of Grid Engine and TSUBAME4's Altair Grid Engine (qsub, qstat -xml, qacct, qdel). */
export const gridEngine: SchedulerAdapter = {
  parseSubmitOutput(result) {
    return /Your job(?:-array)? (\d+)/.exec(result.stdout)?.[1] ?? /^\s*(\d+)(?:\.\d+-\d+:\d+)?\s*$/.exec(result.stdout)?.[1] ?? null;
  },
  isTransient(result) {
    return /unable to contact qmaster|commlib error|failed receiving gdi request|can't connect|got no connection|qmaster is not alive|no route to host/i.test(
      result.stderr + result.stdout,
    );
  },
  async queue(exec) {
    const result = await exec(["qstat", "-xml", "-u", "*"]);
    if (result.exitCode !== 0) throw queueError("qstat -xml", result);
    return parseQstatXml(result.stdout, Date.now());
  },
  async accounting(exec, id) {
    const result = await exec(["qacct", "-j", id]);
    if (result.exitCode !== 0) return null;
    return parseQacct(result.stdout);
  },
  cancel(exec, id) {
    return exec(["qdel", id]);
  },
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
    jobs.set(id, {
      state: gridEngineState(raw),
      raw,
      elapsedSeconds: Number.isFinite(startedAt) ? Math.max(0, Math.round((now - startedAt) / 1000)) : null,
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

/** The last record of `qacct -j ID`: failed 37 (or exit 137 after h_rt) is a timeout, failed 100 + 137 a qdel. */
export function parseQacct(text: string): AccountingInfo | null {
  const records = text.split(/^=+$/m).filter((record) => /jobnumber/.test(record));
  const record = records.at(-1);
  if (!record) return null;
  const field = (name: string) => new RegExp(`^${name}\\s+(.*)$`, "m").exec(record)?.[1]?.trim() ?? "";
  const failed = field("failed");
  const failedCode = Number(/^(\d+)/.exec(failed)?.[1] ?? "0");
  const exitStatus = Number(/^(-?\d+)/.exec(field("exit_status"))?.[1] ?? "0");
  if (failedCode === 37 || /h_rt|wallclock/i.test(failed)) return { outcome: "timeout", exitStatus, reason: `qacct: failed ${failed}` };
  if (failedCode === 100 && exitStatus === 137) return { outcome: "deleted", exitStatus, reason: "qacct: killed (qdel)" };
  if (failedCode !== 0) return { outcome: "error", exitStatus, reason: `qacct: failed ${failed}` };
  if (exitStatus !== 0) return { outcome: "error", exitStatus, reason: `qacct: exit_status ${exitStatus}` };
  return { outcome: "finished", exitStatus, reason: "qacct: exit_status 0" };
}

function queueError(command: string, result: ExecResult): Error {
  return Object.assign(
    new Error(`${command} failed with exit code ${result.exitCode}: ${result.stderr.trim().split("\n").slice(-3).join(" ")}`),
    { result },
  );
}
