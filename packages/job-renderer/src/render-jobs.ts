import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { InputError, readPackageVersion, renderJson, shellQuote } from "@sweval/core";
import { loadEnv } from "@sweval/env-setup";
import { type ClusterProfile, formatWalltime, type Plan, type PlanTask, parseWalltime } from "@sweval/settings-resolver";
import { JOBS_KIND, JOBS_VERSION, type Job, type JobsManifest } from "./schema.js";

export type JobCommand = "sweval-run" | "legacy";

export interface RenderJobsOptions {
  plans: Plan[];
  /** Directory the scripts and plan copies go to (absolute). */
  outDir: string;
  /** What the job body runs. @default "sweval-run" */
  jobCommand?: JobCommand;
  /** Billing group (TSUBAME -g, ABCI -P). @default env[profile.group.env], then REPO_PATH/.env */
  group?: string | null;
  /** Scheduler priority; must be one the profile allows. @default the profile's first */
  priority?: number | null;
  /** The legacy job script, for --job-command legacy. @default <repoPath>/scripts/qsub/evaluate_lighteval.sh */
  legacyScript?: string | null;
  /** Bin each model's tasks into as few jobs as fit under the node kind's longest walltime. @default false */
  pack?: boolean;
  /** Jobs run `sweval-run --rehearse`: simulated vLLM and lighteval, outputs marked as rehearsal. @default false */
  rehearse?: boolean;
  /** Cluster profiles by plan.cluster.profilePath (read by the caller). */
  profiles: Map<string, ClusterProfile>;
  env?: NodeJS.ProcessEnv;
}

export interface RenderedFile {
  path: string;
  content: string;
  mode: number;
}

export interface RenderJobsResult {
  manifest: JobsManifest;
  files: RenderedFile[];
}

const GENERATOR = { name: "@sweval/job-renderer", version: readPackageVersion(import.meta.url) };

/**
 * Renders plans into job scripts and a sweval/jobs manifest, in memory: nothing is written, so a bad
 * plan or missing group fails before any file exists. Deterministic for the same inputs.
 */
export function renderJobs(options: RenderJobsOptions): RenderJobsResult {
  const jobCommand = options.jobCommand ?? "sweval-run";
  const env = options.env ?? process.env;
  const first = options.plans[0];
  if (!first) throw new InputError("no plan on stdin: pipe sweval-resolve into sweval-render", { code: "E_NO_PLAN" });
  const schedulers = new Set(options.plans.map((plan) => plan.cluster.name));
  if (schedulers.size > 1) {
    throw new InputError(`plans for several clusters (${[...schedulers].join(", ")}) cannot share one manifest`, {
      code: "E_MIXED_CLUSTERS",
    });
  }
  const files: RenderedFile[] = [];
  const jobs: Job[] = [];
  for (const plan of options.plans) {
    const profile = options.profiles.get(plan.cluster.profilePath);
    if (!profile) throw new InputError(`cluster profile not loaded`, { code: "E_INPUT_FILE", file: plan.cluster.profilePath });
    const planDir = join(options.outDir, planDirName(plan));
    const planPath = join(planDir, "plan.json");
    files.push({ path: planPath, content: renderJson(plan), mode: 0o644 });
    const context: JobContext = {
      plan,
      profile,
      planPath,
      jobCommand,
      group: resolveGroup(profile, plan, options.group, env),
      priority: resolvePriority(profile, options.priority),
      legacyScript: options.legacyScript ?? `${plan.paths.repoPath}/scripts/qsub/evaluate_lighteval.sh`,
      rehearse: Boolean(options.rehearse),
    };
    const bins = options.pack ? packTasks(plan.tasks, maxWalltimeSeconds(profile, plan)) : plan.tasks.map((task) => [task]);
    for (const [index, tasks] of bins.entries()) {
      const name = tasks.length === 1 ? (tasks[0] as PlanTask).key : `pack${index + 1}_${(tasks[0] as PlanTask).key}`;
      const script = join(planDir, `${name}.sh`);
      const job = describeJob(context, tasks, script, name);
      files.push({ path: script, content: renderJobScript(context, job, tasks), mode: 0o755 });
      jobs.push(job);
    }
  }
  const manifest: JobsManifest = {
    kind: JOBS_KIND,
    version: JOBS_VERSION,
    generator: GENERATOR,
    scheduler: first.cluster.scheduler,
    cluster: first.cluster.name,
    jobCommand,
    outDir: options.outDir,
    jobs,
  };
  files.push({ path: join(options.outDir, "manifest.json"), content: renderJson(manifest), mode: 0o644 });
  return { manifest, files };
}

/** `<provider_subdir><org>/<model>[/<custom>]`, the same tail as the results dir. */
export function planDirName(plan: Plan): string {
  const resultsRoot = `${plan.paths.repoPath}/results/`;
  return plan.paths.resultsDir.startsWith(resultsRoot) ? plan.paths.resultsDir.slice(resultsRoot.length) : plan.fingerprint;
}

// --- internal ---

interface JobContext {
  plan: Plan;
  profile: ClusterProfile;
  planPath: string;
  jobCommand: JobCommand;
  group: string | null;
  priority: { value: number; costFactor: number } | null;
  legacyScript: string;
  rehearse: boolean;
}

/**
 * First-fit decreasing: tasks (longest first) go into the first job whose summed walltime stays under the
 * limit; each job keeps the plan's task order, so tasks that serve the model alike stay next to each other.
 */
export function packTasks(tasks: PlanTask[], limitSeconds: number): PlanTask[][] {
  const bins: PlanTask[][] = [];
  const order = new Map(tasks.map((task, index) => [task.key, index]));
  for (const task of [...tasks].sort((a, b) => b.walltime.seconds - a.walltime.seconds)) {
    const bin = bins.find((b) => b.reduce((sum, t) => sum + t.walltime.seconds, 0) + task.walltime.seconds <= limitSeconds);
    if (bin) bin.push(task);
    else bins.push([task]);
  }
  for (const bin of bins) bin.sort((a, b) => (order.get(a.key) ?? 0) - (order.get(b.key) ?? 0));
  return bins.sort((a, b) => (order.get((a[0] as PlanTask).key) ?? 0) - (order.get((b[0] as PlanTask).key) ?? 0));
}

function maxWalltimeSeconds(profile: ClusterProfile, plan: Plan): number {
  return parseWalltime(profile.nodeKinds[plan.nodeKind.name]?.maxWalltime ?? "24:00:00");
}

function describeJob(context: JobContext, tasks: PlanTask[], script: string, jobName?: string): Job {
  const { plan, profile } = context;
  const head = tasks[0];
  if (!head) throw new Error("unreachable: a job has at least one task");
  const nodeKind = profile.nodeKinds[plan.nodeKind.name];
  const walltimeSeconds = tasks.reduce((sum, task) => sum + task.walltime.seconds, 0);
  const walltime = tasks.length === 1 ? head.walltime.value : formatWalltime(walltimeSeconds);
  const name = jobName ?? head.key;
  // A packed job's logs go to the model's results dir; a single task's to its task dir, as before.
  const logDir = tasks.length === 1 ? head.logDir : plan.paths.resultsDir;
  const logs = logPaths(profile.scheduler, logDir, name);
  const job: Job = {
    name,
    model: plan.model.id,
    litellmModel: plan.litellmModel,
    customSettings: plan.customSettings?.name ?? null,
    planPath: context.planPath,
    planFingerprint: plan.fingerprint,
    script,
    tasks: tasks.map((task) => task.key),
    resources: { nodeKind: plan.nodeKind.name, gpus: plan.nodeKind.gpus, request: nodeKind?.resource ?? null },
    walltime,
    walltimeSeconds,
    priority: context.priority?.value ?? null,
    costFactor: context.priority?.costFactor ?? null,
    logDir,
    stdout: logs.stdout,
    stderr: logs.stderr,
    submit: { argv: [] },
    ledger: `${plan.paths.repoPath}/results/.sweval/ledger.jsonl`,
    resultsDir: plan.paths.resultsDir,
  };
  job.submit.argv = submitArgv(context, job);
  return job;
}

function logPaths(scheduler: ClusterProfile["scheduler"], logDir: string, name: string) {
  if (scheduler === "pbs-pro") return { stdout: `${logDir}/{jobId}.OU`, stderr: `${logDir}/{jobId}.ER` };
  return { stdout: `${logDir}/${name}.o{jobId}`, stderr: `${logDir}/${name}.e{jobId}` };
}

/** The exact submit command per dialect (legacy-workflow §1.3). */
function submitArgv(context: JobContext, job: Job): string[] {
  const { profile, group, priority } = context;
  const groupArgs = profile.group && group ? [profile.group.flag, group] : [];
  switch (profile.scheduler) {
    case "grid-engine":
      return [
        "qsub",
        ...groupArgs,
        "-l",
        job.resources.request ?? `${job.resources.nodeKind}=1`,
        ...(priority ? ["-p", String(priority.value)] : []),
        "-N",
        job.name,
        "-l",
        `h_rt=${job.walltime}`,
        "-o",
        job.logDir,
        "-e",
        job.logDir,
        job.script,
      ];
    case "pbs-pro":
      return [
        "qsub",
        ...groupArgs,
        "-q",
        profile.queue ?? job.resources.nodeKind,
        "-l",
        job.resources.request ?? "select=1",
        "-N",
        job.name,
        "-l",
        `walltime=${job.walltime}`,
        "-o",
        job.logDir,
        "-e",
        job.logDir,
        "--",
        job.script,
      ];
    case "slurm":
      return ["sbatch", "--parsable", job.script];
    default:
      return ["bash", job.script];
  }
}

/** The whole job script: dialect header, environment, cluster setup, then the job command. */
export function renderJobScript(context: JobContext, job: Job, tasks: PlanTask[]): string {
  const { plan, profile } = context;
  const lines = ["#!/bin/bash", ...dialectHeader(profile, job)];
  lines.push(
    `# sweval job ${job.name}: ${plan.model.id}${plan.customSettings ? ` [${plan.customSettings.name}]` : ""} on ${profile.name}/${plan.nodeKind.name}`,
    `# Rendered by ${GENERATOR.name} ${GENERATOR.version} from plan ${plan.fingerprint}; re-render instead of editing.`,
    "set -euo pipefail",
    "",
  );
  if (profile.scheduler === "local") lines.push('export JOB_ID="${JOB_ID:-local$$}"', "");
  if (context.jobCommand === "legacy") {
    lines.push(
      "# The legacy job script sources .env, sets up modules and serves the model itself.",
      `exec bash ${legacyArgv(context, tasks, job).map(quoteLegacyArg).join(" ")}`,
    );
    return `${lines.join("\n")}\n`;
  }
  lines.push(
    "# Secrets stay in .env and are read at run time; they are never written into this file.",
    `SWEVAL_ENV_FILE="\${SWEVAL_ENV_FILE:-${plan.paths.repoPath}/.env}"`,
    'if [ -f "$SWEVAL_ENV_FILE" ]; then',
    "  set -a +u",
    "  # shellcheck source=/dev/null",
    '  . "$SWEVAL_ENV_FILE"',
    "  set +a -u",
    "fi",
    'if [ -n "${HUGGINGFACE_CACHE:-}" ]; then export HF_HOME="$HUGGINGFACE_CACHE" HUGGINGFACE_HUB_CACHE="$HUGGINGFACE_CACHE"; fi',
    'if [ -n "${UV_CACHE:-}" ]; then export UV_CACHE_DIR="$UV_CACHE"; fi',
    'if [ -n "${VLLM_CACHE:-}" ]; then export VLLM_CACHE_ROOT="$VLLM_CACHE"; fi',
    'export PATH="$HOME/.local/bin:$PATH"',
    "",
  );
  if (profile.setup.length > 0) {
    lines.push(`# Cluster setup from ${profile.name}'s profile; site scripts may read unset variables.`, "set +u");
    for (const line of profile.setup) {
      if (/^(\.|source)\s/.test(line)) lines.push("# shellcheck source=/dev/null");
      lines.push(line);
    }
    lines.push("set -u", "");
  }
  const runArgs = [
    "--plan",
    context.planPath,
    ...tasks.flatMap((task) => ["--task", task.key]),
    ...(context.rehearse ? ["--rehearse"] : []),
  ];
  lines.push(`cd ${shellQuote(plan.paths.repoPath)}`, `exec "\${SWEVAL_RUN:-sweval-run}" ${runArgs.map(shellQuote).join(" ")}`);
  return `${lines.join("\n")}\n`;
}

function dialectHeader(profile: ClusterProfile, job: Job): string[] {
  switch (profile.scheduler) {
    case "grid-engine":
      return ["#$ -S /bin/bash", "#$ -cwd", ...profile.jobHeader];
    case "pbs-pro":
      return ["#PBS -S /bin/bash", ...profile.jobHeader];
    case "slurm": {
      const header = [
        `#SBATCH --job-name=${job.name}`,
        `#SBATCH --time=${job.walltime}`,
        "#SBATCH --nodes=1",
        `#SBATCH --output=${job.logDir}/%x.o%j`,
        `#SBATCH --error=${job.logDir}/%x.e%j`,
      ];
      if (job.resources.request) header.push(`#SBATCH --gres=${job.resources.request}`);
      if (profile.partition) header.push(`#SBATCH --partition=${profile.partition}`);
      return [...header, ...profile.jobHeader];
    }
    default:
      return [...profile.jobHeader];
  }
}

/** evaluate_lighteval.sh's flags in qsub_all.sh's order (§1.2-1.3, §4.1); empty values never passed. */
function legacyArgv(context: JobContext, tasks: PlanTask[], job: Job): string[] {
  const { plan, profile } = context;
  const task = tasks[0];
  if (!task || tasks.length > 1) {
    throw new InputError("the legacy job script runs one task per job; render without packing", { code: "E_LEGACY_PACK" });
  }
  const argv = [
    context.legacyScript,
    "--task-name",
    task.lightevalTask,
    "--node-kind",
    plan.nodeKind.name,
    "--provider",
    plan.provider,
    "--model-name",
    plan.model.id,
    "--repo-path",
    plan.paths.repoPath,
    "--service",
    profile.legacyService,
  ];
  if (profile.legacyService === "abci" || profile.legacyService === "local") argv.push("--stdout-stderr-dir", job.logDir);
  if (profile.legacyService === "local") argv.push("--custom-job-id", "$JOB_ID");
  if (plan.customSettings) argv.push("--custom-settings", plan.customSettings.name);
  if (plan.maxSamples) argv.push("--max-samples", String(plan.maxSamples));
  return argv;
}

/** Quotes an argument, except the job id the shell must expand at run time. */
function quoteLegacyArg(arg: string): string {
  return arg === "$JOB_ID" ? '"$JOB_ID"' : shellQuote(arg);
}

function resolveGroup(profile: ClusterProfile, plan: Plan, explicit: string | null | undefined, env: NodeJS.ProcessEnv): string | null {
  if (!profile.group) return null;
  const group = explicit || env[profile.group.env] || readDotenvValue(plan.paths.repoPath, profile.group.env, env);
  if (!group) {
    throw new InputError(`${profile.name} bills jobs to a group (${profile.group.flag}) but ${profile.group.env} is not set`, {
      code: "E_NO_GROUP",
      field: "--group",
      hint: `pass --group <name>, export ${profile.group.env}, or set it in ${plan.paths.repoPath}/.env`,
    });
  }
  if (!/^[A-Za-z0-9._-]+$/.test(group))
    throw new InputError(`group "${group.slice(0, 100)}" has characters a scheduler group cannot have`, {
      code: "E_NO_GROUP",
      field: "--group",
    });
  return group;
}

function resolvePriority(profile: ClusterProfile, requested: number | null | undefined) {
  if (profile.priorities.length === 0) {
    if (requested !== undefined && requested !== null) {
      throw new InputError(`cluster ${profile.name} has no priorities`, { code: "E_PRIORITY", field: "--priority" });
    }
    return null;
  }
  const chosen =
    requested === undefined || requested === null ? profile.priorities[0] : profile.priorities.find((p) => p.value === requested);
  if (!chosen) {
    throw new InputError(
      `priority ${requested} is not allowed on ${profile.name}; choose one of ${profile.priorities.map((p) => `${p.value} (cost x${p.costFactor})`).join(", ")}`,
      {
        code: "E_PRIORITY",
        field: "--priority",
      },
    );
  }
  return chosen;
}

/** The group from REPO_PATH/.env, read by the same loader every sweval tool uses (bash semantics, env wins). */
function readDotenvValue(repoPath: string, key: string, env: NodeJS.ProcessEnv): string | undefined {
  const path = resolve(repoPath, ".env");
  if (!existsSync(path)) return undefined;
  return loadEnv({ file: path, env: { ...env, SWEVAL_ENV_FILE: undefined } }).values[key];
}
