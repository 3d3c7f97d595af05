import { spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { logPath } from "../derive-state.js";
import type { AccountingInfo, QueueInfo, SchedulerAdapter } from "./types.js";

/** A job of the local scheduler, as its state file records it. */
export interface LocalJob {
  id: string;
  name: string;
  script: string;
  cwd: string;
  stdout: string;
  stderr: string;
  walltimeSeconds: number;
  gpus: number;
  state: "queued" | "running" | "exited";
  submittedAt: string;
  startedAt?: string;
  endedAt?: string;
  pid?: number;
  devices?: string[];
  exitCode?: number | null;
  signal?: string | null;
  timedOut?: boolean;
  cancelled?: boolean;
  /** Job ids that must leave the queue first (the chained aggregation step). */
  after?: string[];
}

/** Where the local scheduler keeps its jobs: $SWEVAL_LOCAL_STATE_DIR, else ~/.local/state/sweval/local. */
export function localStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SWEVAL_LOCAL_STATE_DIR || join(env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "sweval", "local");
}

export function jobFile(stateDir: string, id: string): string {
  return join(stateDir, "jobs", `${id}.json`);
}

export function readLocalJob(stateDir: string, id: string): LocalJob | null {
  try {
    return JSON.parse(readFileSync(jobFile(stateDir, id), "utf8")) as LocalJob;
  } catch {
    return null;
  }
}

/** Whether a process of this host runs (EPERM: it does, as another user's). */
export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The embedded default: jobs run on this machine as detached process groups, started by a small
 * supervisor that waits for a free slot (GPUs from CUDA_VISIBLE_DEVICES), enforces the walltime and records
 * the exit, so status survives the shell that submitted.
 */
export function createLocalScheduler(options: { stateDir: string; env?: NodeJS.ProcessEnv }) {
  const { stateDir } = options;
  const env = options.env ?? process.env;
  return {
    stateDir,
    /** Registers the job and starts its supervisor; returns the job id at once. */
    submit(job: {
      name: string;
      script: string;
      stdout: string;
      stderr: string;
      walltimeSeconds: number;
      gpus: number;
      cwd?: string;
      after?: string[];
    }): string {
      mkdirSync(join(stateDir, "jobs"), { recursive: true });
      const id = newJobId(stateDir);
      const record: LocalJob = {
        id,
        name: job.name,
        script: job.script,
        cwd: job.cwd ?? process.cwd(),
        stdout: logPath(job.stdout, id),
        stderr: logPath(job.stderr, id),
        walltimeSeconds: job.walltimeSeconds,
        gpus: job.gpus,
        state: "queued",
        submittedAt: new Date().toISOString(),
        after: job.after,
      };
      writeFileSync(jobFile(stateDir, id), JSON.stringify(record, null, 2), { flag: "wx" });
      const supervisor = fileURLToPath(new URL("../local-supervisor.js", import.meta.url));
      const child = spawn(process.execPath, [supervisor, stateDir, id], {
        detached: true,
        stdio: "ignore",
        env: { ...env, SWEVAL_LOCAL_DEVICES: env.SWEVAL_LOCAL_DEVICES ?? env.CUDA_VISIBLE_DEVICES ?? "" },
      });
      child.unref();
      return id;
    },
    list(): LocalJob[] {
      const dir = join(stateDir, "jobs");
      if (!existsSync(dir)) return [];
      return readdirSync(dir)
        .filter((name) => name.endsWith(".json"))
        .map((name) => readLocalJob(stateDir, name.slice(0, -5)))
        .filter((job): job is LocalJob => job !== null);
    },
  };
}

export function localAdapter(stateDir: string): SchedulerAdapter {
  return {
    parseSubmitOutput: () => null,
    isTransient: () => false,
    async queue(_exec, ids) {
      const jobs = new Map<string, QueueInfo>();
      for (const id of ids) {
        const job = readLocalJob(stateDir, id);
        if (!job || job.state === "exited") continue;
        if (job.state === "running" && !isAlive(job.pid)) continue;
        const started = job.startedAt ? Date.parse(job.startedAt) : Number.NaN;
        jobs.set(id, {
          state: job.state === "queued" ? "queued" : "running",
          raw: job.state,
          elapsedSeconds: Number.isFinite(started) ? Math.round((Date.now() - started) / 1000) : null,
        });
      }
      return jobs;
    },
    async accounting(_exec, id) {
      const job = readLocalJob(stateDir, id);
      if (!job) return null;
      return localOutcome(job);
    },
    async accountingMany(_exec, ids) {
      const found = new Map<string, AccountingInfo>();
      for (const id of ids) {
        const job = readLocalJob(stateDir, id);
        const info = job ? localOutcome(job) : null;
        if (info) found.set(id, info);
      }
      return found;
    },
    async find(_exec, job, since) {
      return createLocalScheduler({ stateDir })
        .list()
        .filter((other) => other.name === job.name && other.script === job.script && Date.parse(other.submittedAt) >= since - 1000)
        .map((other) => other.id);
    },
    async cancel(_exec, id) {
      const job = readLocalJob(stateDir, id);
      if (!job) return { exitCode: 1, stdout: "", stderr: `job ${id} not found in ${stateDir}` };
      writeFileSync(join(stateDir, "jobs", `${id}.cancel`), new Date().toISOString());
      if (job.state === "running" && job.pid) {
        try {
          process.kill(-job.pid, "SIGTERM");
        } catch {
          // Already gone.
        }
      }
      return { exitCode: 0, stdout: "", stderr: "" };
    },
  };
}

function localOutcome(job: LocalJob): AccountingInfo | null {
  const outcome = localState(job);
  if (!outcome) return null;
  const span = (Date.parse(job.endedAt ?? "") - Date.parse(job.startedAt ?? "")) / 1000;
  return { ...outcome, elapsedSeconds: Number.isFinite(span) ? Math.max(0, Math.round(span)) : null };
}

function localState(job: LocalJob): AccountingInfo | null {
  if (job.state === "running" && !isAlive(job.pid))
    return { outcome: "error", exitStatus: null, reason: "local: the job's supervisor is gone" };
  if (job.state !== "exited") return null;
  if (job.cancelled) return { outcome: "deleted", exitStatus: job.exitCode ?? null, reason: "local: cancelled" };
  if (job.timedOut)
    return { outcome: "timeout", exitStatus: job.exitCode ?? null, reason: `local: walltime ${job.walltimeSeconds}s exceeded` };
  if (job.exitCode !== 0)
    return { outcome: "error", exitStatus: job.exitCode ?? null, reason: `local: exit ${job.exitCode ?? `signal ${job.signal}`}` };
  return { outcome: "finished", exitStatus: 0, reason: "local: exit 0" };
}

/** The legacy local job id: last digit of the year, day of year, 4 random characters. */
function newJobId(stateDir: string): string {
  const alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const now = new Date();
  const dayOfYear = Math.floor((now.getTime() - Date.UTC(now.getUTCFullYear(), 0, 0)) / 86_400_000);
  for (;;) {
    const random = Array.from({ length: 4 }, () => alphabet[randomInt(alphabet.length)]).join("");
    const id = `${now.getUTCFullYear() % 10}${String(dayOfYear).padStart(3, "0")}${random}`;
    if (!existsSync(jobFile(stateDir, id))) return id;
  }
}
