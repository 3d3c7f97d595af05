// The local scheduler's per-job supervisor: started detached by `sweval-pbs submit`, it waits for its
// dependencies and a free slot, runs the job script in its own process group with the job's logs, enforces
// the walltime (SIGTERM, then SIGKILL after 10 s) and records how the job ended.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { isAlive, jobFile, type LocalJob, readLocalJob } from "./adapters/local.js";

const [stateDir = "", id = ""] = process.argv.slice(2);

function write(job: LocalJob) {
  const file = jobFile(stateDir, job.id);
  writeFileSync(`${file}.tmp`, JSON.stringify(job, null, 2));
  renameSync(`${file}.tmp`, file);
}

function cancelled(): boolean {
  return existsSync(join(stateDir, "jobs", `${id}.cancel`));
}

/** The job's record is gone (its state dir removed, as a test's temp dir is): nobody waits for this job any more. */
function orphaned(): boolean {
  return !existsSync(jobFile(stateDir, id));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Tries to take GPUs (and a job slot) under a mkdir lock; returns the device ids, or null to wait. */
function acquire(job: LocalJob): string[] | null {
  const lock = join(stateDir, "slots.lock");
  try {
    mkdirSync(lock);
  } catch {
    const mtime = statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
    if (mtime !== undefined && Date.now() - mtime > 30_000) rmSync(lock, { recursive: true, force: true });
    return null;
  }
  try {
    const devices = (process.env.SWEVAL_LOCAL_DEVICES ?? "").split(",").filter(Boolean);
    const maxJobs = Number(process.env.SWEVAL_LOCAL_MAX_JOBS ?? Math.max(2, devices.length, Math.floor(cpus().length / 2)));
    const slotsFile = join(stateDir, "slots.json");
    const slots = existsSync(slotsFile) ? (JSON.parse(readFileSync(slotsFile, "utf8")) as Record<string, string[]>) : {};
    // Forget holders that are no longer running (a crashed supervisor must not hold GPUs forever).
    for (const holder of Object.keys(slots)) {
      const other = readLocalJob(stateDir, holder);
      if (!other || other.state === "exited" || (other.state === "running" && !isAlive(other.pid))) delete slots[holder];
    }
    // First come, first served: an older job still waiting (and free to start) goes first.
    if (olderWaiting(job)) return null;
    const taken = new Set(Object.values(slots).flat());
    const free = devices.filter((device) => !taken.has(device));
    // Without CUDA_VISIBLE_DEVICES (a laptop, a rehearsal) GPU jobs run unpinned, limited only by maxJobs.
    if (Object.keys(slots).length >= maxJobs || (devices.length > 0 && free.length < job.gpus)) return null;
    const mine = free.slice(0, devices.length > 0 ? job.gpus : 0);
    slots[id] = mine;
    writeFileSync(slotsFile, JSON.stringify(slots));
    return mine;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function olderWaiting(job: LocalJob): boolean {
  const dir = join(stateDir, "jobs");
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(".json") || name === `${job.id}.json`) continue;
    const other = readLocalJob(stateDir, name.slice(0, -5));
    if (other?.state !== "queued" || existsSync(join(dir, `${other.id}.cancel`))) continue;
    if (other.after?.some((dep) => readLocalJob(stateDir, dep)?.state !== "exited")) continue;
    if (other.submittedAt < job.submittedAt || (other.submittedAt === job.submittedAt && other.id < job.id)) return true;
  }
  return false;
}

async function main() {
  let job = readLocalJob(stateDir, id);
  if (!job) return;
  while (job.after?.some((other) => readLocalJob(stateDir, other)?.state !== "exited")) {
    if (cancelled()) break;
    if (orphaned()) return;
    await sleep(500);
  }
  let devices: string[] | null = null;
  while (!cancelled()) {
    if (orphaned()) return;
    devices = acquire(job);
    if (devices) break;
    await sleep(500);
  }
  if (cancelled() || !devices) {
    write({ ...job, state: "exited", cancelled: true, endedAt: new Date().toISOString(), exitCode: null });
    return;
  }
  mkdirSync(dirname(job.stdout), { recursive: true });
  mkdirSync(dirname(job.stderr), { recursive: true });
  const child = spawn("bash", [job.script], {
    cwd: job.cwd,
    detached: true,
    stdio: ["ignore", openSync(job.stdout, "a"), openSync(job.stderr, "a")],
    env: { ...process.env, JOB_ID: id, SWEVAL_LOCAL: "1", ...(devices.length > 0 ? { CUDA_VISIBLE_DEVICES: devices.join(",") } : {}) },
  });
  job = { ...job, state: "running", pid: child.pid, devices, startedAt: new Date().toISOString() };
  write(job);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    signalGroup(child.pid, "SIGTERM");
    setTimeout(() => signalGroup(child.pid, "SIGKILL"), 10_000).unref();
  }, job.walltimeSeconds * 1000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on("exit", (c, s) => resolve([c, s])),
  );
  clearTimeout(timer);
  // Whatever the job left behind in its group goes too.
  signalGroup(child.pid, "SIGKILL");
  write({
    ...job,
    state: "exited",
    endedAt: new Date().toISOString(),
    exitCode: code,
    signal,
    timedOut,
    cancelled: !timedOut && cancelled(),
  });
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals) {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

main().catch((error) => {
  writeFileSync(join(stateDir, "jobs", `${id}.supervisor-error`), String(error?.stack ?? error));
  process.exitCode = 1;
});
