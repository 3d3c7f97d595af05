import { join } from "node:path";
import { type ClusterFacts, type Dialect, dialectFor, formatWalltime, type JobRequest, parseWalltime } from "@sweval/clusters";
import { commentText, doubleQuoted, InputError, readPackageVersion, renderJson, shellQuote } from "@sweval/core";
import { type Plan, type PlanTask, runPaths } from "@sweval/settings-resolver/schema";
import { historyKey, learnedWalltime, type RunHistory, sizeClassOf } from "./learned-walltime.js";
import {
  COMPLETION_LINE,
  JOB_TOOLS,
  JOBS_KIND,
  JOBS_VERSION,
  type Job,
  type JobsManifest,
  type JobTool,
  type JobTools,
  type WalltimeFrom,
} from "./schema.js";

export type JobCommand = "sweval-run" | "legacy";

export interface RenderJobsOptions {
  plans: Plan[];
  /** Directory the scripts and plan copies go to (absolute). */
  outDir: string;
  /** What the job body runs. @default "sweval-run" */
  jobCommand?: JobCommand;
  /** Billing group (TSUBAME -g, ABCI -P), chosen by the caller (see `groupFromEnvironment`); required where the cluster bills one. */
  group?: string | null;
  /** Scheduler priority; must be one the cluster allows. @default the cluster's first */
  priority?: number | null;
  /** The legacy job script, for --job-command legacy. @default <repoPath>/scripts/qsub/evaluate_lighteval.sh */
  legacyScript?: string | null;
  /** Bin each model's tasks into as few jobs as fit under the node kind's longest walltime. @default false */
  pack?: boolean;
  /** Jobs run `sweval-run --rehearse`: simulated vLLM and lighteval, outputs marked as rehearsal. @default false */
  rehearse?: boolean;
  /** After each plan's jobs, a job that re-aggregates the model once they all ended. @default false */
  thenAggregate?: boolean;
  /** An advance reservation the jobs run in (V5's AR_ID): Grid Engine -ar, Slurm --reservation. @default null */
  reservation?: string | null;
  /**
   * The installed node and tool entry points the jobs run (see `resolveJobTools`, which the CLI calls). Null: the
   * jobs run `sweval-run` / `sweval-aggregate` from the compute node's PATH. @default null
   */
  tools?: JobTools | null;
  /**
   * Walltimes learned from this run history (`readRunHistory` of the ledger) instead of tasks_runtime.csv's column,
   * per task × node kind × model size class; tasks without enough history keep the static value. @default null
   */
  history?: RunHistory | null;
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
/** The aggregation job only reads results and writes one JSON file. */
const AGGREGATION_WALLTIME = "00:10:00";

/**
 * Renders plans into job scripts and a sweval/jobs manifest, in memory: a pure function of its options (no
 * file or environment is read), so a bad plan or missing group fails before any file exists, and the same
 * inputs give the same bytes.
 */
export function renderJobs(options: RenderJobsOptions): RenderJobsResult {
  const first = options.plans[0];
  if (!first) throw new InputError("no plan on stdin: pipe sweval-resolve into sweval-render", { code: "E_NO_PLAN" });
  const clusters = new Set(options.plans.map((plan) => plan.cluster.name));
  if (clusters.size > 1) {
    throw new InputError(`plans for several clusters (${[...clusters].join(", ")}) cannot share one manifest`, {
      code: "E_MIXED_CLUSTERS",
    });
  }
  const files: RenderedFile[] = [];
  const jobs: Job[] = [];
  for (const plan of options.plans) {
    const context = jobContext(plan, options);
    files.push({ path: context.planPath, content: renderJson(plan), mode: 0o644 });
    const planJobs: Job[] = [];
    for (const [index, tasks] of bins(context, options.pack).entries()) {
      const job = describeJob(context, evaluationShape(context, tasks, index));
      files.push({ path: job.script, content: renderJobScript(context, job, tasks), mode: 0o755 });
      planJobs.push(job);
    }
    if (options.thenAggregate) {
      const job = describeJob(context, aggregationShape(context, planJobs));
      files.push({ path: job.script, content: renderAggregationScript(context, job), mode: 0o755 });
      planJobs.push(job);
    }
    jobs.push(...planJobs);
  }
  const manifest: JobsManifest = {
    kind: JOBS_KIND,
    version: JOBS_VERSION,
    generator: GENERATOR,
    scheduler: first.cluster.scheduler,
    cluster: first.cluster.name,
    jobCommand: options.jobCommand ?? "sweval-run",
    outDir: options.outDir,
    tools: options.tools ?? null,
    costs: first.cluster.costs ?? null,
    downloads: downloadsOf(options),
    jobs,
  };
  files.push({ path: join(options.outDir, "manifest.json"), content: renderJson(manifest), mode: 0o644 });
  return { manifest, files };
}

/** `<provider_subdir><org>/<model>[/<custom>]`, the same tail as the results dir. */
export function planDirName(plan: Plan): string {
  const resultsRoot = `${plan.paths.storePath}/results/`;
  return plan.paths.resultsDir.startsWith(resultsRoot) ? plan.paths.resultsDir.slice(resultsRoot.length) : plan.fingerprint;
}

/**
 * First-fit decreasing: tasks (longest first) go into the first job whose summed walltime stays under the
 * limit; each job keeps the plan's task order, so tasks that serve the model alike stay next to each other.
 */
export function packTasks(tasks: PlanTask[], limitSeconds: number): PlanTask[][] {
  const packed: PlanTask[][] = [];
  const order = new Map(tasks.map((task, index) => [task.key, index]));
  const position = (task: PlanTask | undefined) => (task ? (order.get(task.key) ?? 0) : 0);
  for (const task of [...tasks].sort((a, b) => b.walltime.seconds - a.walltime.seconds)) {
    const bin = packed.find((b) => b.reduce((sum, t) => sum + t.walltime.seconds, 0) + task.walltime.seconds <= limitSeconds);
    if (bin) bin.push(task);
    else packed.push([task]);
  }
  for (const bin of packed) bin.sort((a, b) => position(a) - position(b));
  return packed.sort((a, b) => position(a[0]) - position(b[0]));
}

// --- internal ---

/** What every job of one plan shares. */
export interface JobContext {
  plan: Plan;
  cluster: ClusterFacts;
  dialect: Dialect;
  outDir: string;
  planDir: string;
  planPath: string;
  jobCommand: JobCommand;
  group: string | null;
  priority: { value: number; costFactor: number } | null;
  legacyScript: string;
  rehearse: boolean;
  tools: JobTools | null;
  reservation: string | null;
  history: RunHistory | null;
}

/** What makes one job different from its plan's others. */
interface JobShape {
  name: string;
  tasks: string[];
  walltimeSeconds: number;
  walltime: string;
  logDir: string;
  after: string[];
  walltimeFrom?: WalltimeFrom;
}

function jobContext(plan: Plan, options: RenderJobsOptions): JobContext {
  const planDir = join(options.outDir, planDirName(plan));
  return {
    plan,
    cluster: plan.cluster,
    dialect: dialectFor(plan.cluster.scheduler),
    outDir: options.outDir,
    planDir,
    planPath: join(planDir, "plan.json"),
    jobCommand: options.jobCommand ?? "sweval-run",
    group: checkGroup(plan, options.group ?? null),
    priority: resolvePriority(plan.cluster, options.priority),
    legacyScript: options.legacyScript ?? `${plan.paths.repoPath}/scripts/qsub/evaluate_lighteval.sh`,
    rehearse: Boolean(options.rehearse),
    tools: options.tools ?? null,
    reservation: checkReservation(plan, options.reservation ?? null),
    history: options.history ?? null,
  };
}

function bins(context: JobContext, pack: boolean | undefined): PlanTask[][] {
  const { plan } = context;
  if (!pack) return plan.tasks.map((task) => [task]);
  // Packed by the walltimes the jobs will ask for: learned ones are shorter, so more tasks share one vLLM start.
  const learned = plan.tasks.map((task) => ({ ...task, walltime: { ...task.walltime, seconds: taskWalltime(context, task).seconds } }));
  const packed = packTasks(learned, maxWalltimeSeconds(plan));
  const byKey = new Map(plan.tasks.map((task) => [task.key, task]));
  return packed.map((bin) => bin.map((task) => byKey.get(task.key) ?? task));
}

function maxWalltimeSeconds(plan: Plan): number {
  return parseWalltime(plan.nodeKind.maxWalltime ?? "24:00:00");
}

/** The walltime one task asks for: learned from the history when the renderer was given one, else the static column. */
function taskWalltime(context: JobContext, task: PlanTask): WalltimeFrom & { seconds: number } {
  const { plan } = context;
  const key = historyKey(task.key, plan.nodeKind.name, sizeClassOf(plan.model.id, plan.layout?.parameters));
  return learnedWalltime(context.history?.get(key), { staticSeconds: task.walltime.seconds, maxSeconds: maxWalltimeSeconds(plan) });
}

function evaluationShape(context: JobContext, tasks: PlanTask[], index: number): JobShape {
  const [head] = tasks;
  if (!head) throw new InputError("a job needs at least one task", { code: "E_NO_TASK" });
  const packed = tasks.length > 1;
  const walltimes = tasks.map((task) => taskWalltime(context, task));
  const walltimeSeconds = Math.min(
    walltimes.reduce((sum, walltime) => sum + walltime.seconds, 0),
    packed || context.history ? maxWalltimeSeconds(context.plan) : Number.POSITIVE_INFINITY,
  );
  const learned = walltimes.some((walltime) => walltime.source === "learned");
  const expected = walltimes.map((walltime) => walltime.expectedSeconds);
  return {
    name: packed ? `pack${index + 1}_${head.key}` : head.key,
    tasks: tasks.map((task) => task.key),
    walltimeSeconds,
    walltime: packed || learned ? formatWalltime(walltimeSeconds) : head.walltime.value,
    // A packed job's logs go to the model's results dir; a single task's to its task dir, as before.
    logDir: packed ? context.plan.paths.resultsDir : head.logDir,
    after: [],
    ...(context.history
      ? {
          walltimeFrom: {
            source: learned ? "learned" : "static",
            staticSeconds: tasks.reduce((sum, task) => sum + task.walltime.seconds, 0),
            samples: Math.min(...walltimes.map((walltime) => walltime.samples)),
            timeouts: walltimes.reduce((sum, walltime) => sum + walltime.timeouts, 0),
            expectedSeconds: expected.every((value) => value !== null) ? expected.reduce((sum, value) => sum + (value ?? 0), 0) : null,
          },
        }
      : {}),
  };
}

function aggregationShape(context: JobContext, after: Job[]): JobShape {
  return {
    name: "aggregate",
    tasks: ["aggregate"],
    walltimeSeconds: parseWalltime(AGGREGATION_WALLTIME),
    walltime: AGGREGATION_WALLTIME,
    logDir: context.plan.paths.resultsDir,
    after: after.map((job) => job.id),
  };
}

function describeJob(context: JobContext, shape: JobShape): Job {
  const { plan, dialect } = context;
  const script = join(context.planDir, `${shape.name}.sh`);
  const request: JobRequest = {
    name: shape.name,
    script,
    logDir: shape.logDir,
    walltime: shape.walltime,
    resources: { nodeKind: plan.nodeKind.name, gpus: plan.nodeKind.gpus, request: plan.nodeKind.resource },
    priority: context.priority?.value ?? null,
    reservation: context.reservation,
  };
  const logs = dialect.logPaths(shape.logDir, shape.name);
  return {
    id: `${planDirName(plan)}/${shape.name}`,
    name: shape.name,
    after: shape.after,
    model: plan.model.id,
    litellmModel: plan.litellmModel,
    customSettings: plan.customSettings?.name ?? null,
    planPath: context.planPath,
    planFingerprint: plan.fingerprint,
    script,
    tasks: shape.tasks,
    resources: request.resources,
    walltime: shape.walltime,
    walltimeSeconds: shape.walltimeSeconds,
    priority: context.priority?.value ?? null,
    costFactor: context.priority?.costFactor ?? null,
    logDir: shape.logDir,
    stdout: logs.stdout,
    stderr: logs.stderr,
    // Dependencies are on job ids the scheduler has not assigned yet: the submitter adds them (dialect.withDependencies).
    submit: { argv: dialect.submitArgv(request, { cluster: context.cluster, group: context.group }) },
    ledger: `${plan.paths.storePath}/results/.sweval/ledger.jsonl`,
    resultsDir: plan.paths.resultsDir,
    ...(shape.walltimeFrom ? { sizeClass: sizeClassOf(plan.model.id, plan.layout?.parameters), walltimeFrom: shape.walltimeFrom } : {}),
  };
}

/** The whole job script: dialect header, environment, cluster setup, then the job command. */
export function renderJobScript(context: JobContext, job: Job, tasks: PlanTask[]): string {
  const { plan } = context;
  const lines = scriptHead(context, job);
  if (context.jobCommand === "legacy") {
    lines.push(
      "# The legacy job script sources .env, sets up modules and serves the model itself.",
      `exec bash ${legacyArgv(context, tasks, job).map(quoteLegacyArg).join(" ")}`,
    );
    return `${lines.join("\n")}\n`;
  }
  lines.push(...liveLogLines(context, job), ...environmentLines(context));
  const runArgs = [
    "--plan",
    context.planPath,
    ...tasks.flatMap((task) => ["--task", task.key]),
    ...(context.rehearse ? ["--rehearse"] : []),
  ];
  lines.push(`cd ${shellQuote(plan.paths.repoPath)}`, ...launchLines(context.tools, JOB_TOOLS.run, runArgs));
  return `${lines.join("\n")}\n`;
}

/** The aggregation job: the same head and environment, then sweval-aggregate over the model's raw results. */
function renderAggregationScript(context: JobContext, job: Job): string {
  const { plan } = context;
  const custom = plan.customSettings;
  const paths = runPaths(plan, { rehearse: context.rehearse });
  const args = [
    "--model-name",
    paths.litellmModel,
    "--raw-results-dir",
    paths.rawResultsDir,
    "--aggregated-outputs-dir",
    paths.resultsDir,
    // The table matching the checkout (V5: 157 columns), as the job's own in-job aggregation uses.
    "--conf",
    plan.aggregateConf,
    ...(custom
      ? [
          "--used-custom-settings-path",
          custom.path,
          "--used-custom-settings-name",
          custom.name,
          "--used-custom-settings-version",
          custom.version,
        ]
      : []),
  ];
  const lines = [
    ...scriptHead(context, job),
    ...liveLogLines(context, job),
    ...environmentLines(context),
    `cd ${shellQuote(plan.paths.repoPath)}`,
    ...launchLines(context.tools, JOB_TOOLS.aggregate, args),
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * sweval-run prints the completion line itself; sweval-aggregate writes its file and says so, so after it the job
 * prints the line the board reads as done, as the legacy job does.
 */
const ANNOUNCES_COMPLETION: Record<JobTool["key"], boolean> = { run: true, aggregate: false };

/**
 * The job's last lines. With recorded tools: the entry point the renderer resolved, under the node it ran on, so
 * the job runs the install that rendered it whatever the compute node's PATH holds; a missing file stops the job
 * with its name (rc 127, as the shell's own "not found"). `SWEVAL_RUN` / `SWEVAL_AGGREGATE` (a command) and
 * `SWEVAL_NODE`, from the environment or .env, replace them.
 */
function launchLines(tools: JobTools | null, tool: JobTool, args: string[]): string[] {
  const entry = tools?.[tool.key];
  const announces = ANNOUNCES_COMPLETION[tool.key];
  // A tool that prints the completion line itself replaces the shell; otherwise the shell prints it after success.
  const launch = (command: string) => (announces ? [`exec ${command}`] : [command, `echo ${shellQuote(COMPLETION_LINE)}`]);
  if (!tools || !entry) return launch(`"\${${tool.variable}:-${tool.bin}}" ${args.map(shellQuote).join(" ")}`);
  const missing = (what: string, variable: string) =>
    `  echo "sweval job: ${what} $${variable} is not on \${HOSTNAME:-this node}; install sweval on a filesystem the compute nodes share, or set ${tool.variable} or SWEVAL_NODE" >&2`;
  const [override, ...afterOverride] = launch(`"$${tool.variable}" "$@"`);
  return [
    `# ${tool.bin} from the install that rendered this job; ${tool.variable} (a command) or SWEVAL_NODE replace it.`,
    `set -- ${args.map(shellQuote).join(" ")}`,
    `if [ -n "\${${tool.variable}:-}" ]; then ${[override, ...afterOverride, ...(announces ? [] : ["exit 0"])].join("; ")}; fi`,
    `SWEVAL_NODE="\${SWEVAL_NODE:-${doubleQuoted(tools.node)}}"`,
    `sweval_entry=${shellQuote(entry)}`,
    'if [ ! -x "$SWEVAL_NODE" ]; then',
    missing("node", "SWEVAL_NODE"),
    "  exit 127",
    "fi",
    'if [ ! -f "$sweval_entry" ]; then',
    missing(tool.bin, "sweval_entry"),
    "  exit 127",
    "fi",
    ...launch('"$SWEVAL_NODE" -- "$sweval_entry" "$@"'),
  ];
}

function scriptHead(context: JobContext, job: Job): string[] {
  const { plan, cluster, dialect } = context;
  const lines = ["#!/bin/bash", ...dialect.directives(job, { cluster, group: context.group })];
  lines.push(
    commentText(
      `# sweval job ${job.name}: ${plan.model.id}${plan.customSettings ? ` [${plan.customSettings.name}]` : ""} on ${cluster.name}/${plan.nodeKind.name}`,
    ),
    ...(job.after.length > 0
      ? [`# Runs after this model's ${job.after.length} evaluation job(s) ended, and re-aggregates its results.`]
      : []),
    commentText(`# Rendered by ${GENERATOR.name} ${GENERATOR.version} from plan ${plan.fingerprint}; re-render instead of editing.`),
    "set -euo pipefail",
    "",
  );
  if (cluster.scheduler === "local") lines.push('export JOB_ID="${JOB_ID:-local$$}"', "");
  return lines;
}

/** .env at run time (never its values in the script), the cache variables, and the cluster's setup lines. */
function environmentLines(context: JobContext): string[] {
  const { plan, cluster } = context;
  const lines = [
    "# Secrets stay in .env and are read at run time; they are never written into this file.",
    `SWEVAL_ENV_FILE="\${SWEVAL_ENV_FILE:-${doubleQuoted(`${plan.paths.repoPath}/.env`)}}"`,
    'if [ -f "$SWEVAL_ENV_FILE" ]; then',
    "  # Sourcing would run a $( ) or backquote in .env: refuse a file holding one anywhere, as sweval-env check says.",
    "  # shellcheck disable=SC2016",
    "  if grep -qF -e '$(' -e '`' \"$SWEVAL_ENV_FILE\"; then",
    '    echo "sweval job: $SWEVAL_ENV_FILE holds \\$( or a backquote, which sourcing would run; refusing it (sweval-env check names the line)" >&2',
    "    exit 2",
    "  fi",
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
  ];
  if (cluster.setup.length > 0) {
    lines.push(commentText(`# Cluster setup from ${cluster.name}'s profile; site scripts may read unset variables.`), "set +u");
    for (const line of cluster.setup) {
      if (/^(\.|source)\s/.test(line)) lines.push("# shellcheck source=/dev/null");
      lines.push(line);
    }
    lines.push("set -u", "");
  }
  return lines;
}

/** evaluate_lighteval.sh's flags in qsub_all.sh's order (§1.2-1.3, §4.1); empty values never passed. */
function legacyArgv(context: JobContext, tasks: PlanTask[], job: Job): string[] {
  const { plan, cluster } = context;
  const [task] = tasks;
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
    cluster.legacyService,
  ];
  if (cluster.legacyService === "abci" || cluster.legacyService === "local") argv.push("--stdout-stderr-dir", job.logDir);
  if (cluster.legacyService === "local") argv.push("--custom-job-id", "$JOB_ID");
  if (plan.customSettings) argv.push("--custom-settings", plan.customSettings.name);
  if (plan.maxSamples) argv.push("--max-samples", String(plan.maxSamples));
  // V5's qsub_all.sh passes it always; V4's job script would print an error for the unknown flag.
  if (plan.checkout.legacyTakesTrustRemoteCode) argv.push("--trust-remote-code", plan.trustRemoteCode.value === true ? "true" : "false");
  return argv;
}

/** Quotes an argument, except the job id the shell must expand at run time. */
function quoteLegacyArg(arg: string): string {
  return arg === "$JOB_ID" ? '"$JOB_ID"' : shellQuote(arg);
}

/** Each vLLM model once (a rehearsal serves no weights): what the submitter fetches on the login node. */
function downloadsOf(options: RenderJobsOptions): NonNullable<JobsManifest["downloads"]> {
  if (options.rehearse) return [];
  const seen = new Set<string>();
  return options.plans
    .filter((plan) => plan.provider === "vllm" && !plan.model.path)
    .filter((plan) => !seen.has(plan.model.id) && Boolean(seen.add(plan.model.id)))
    .map((plan) => ({ model: plan.model.id, repoPath: plan.paths.repoPath, byDefault: plan.cluster.predownload }));
}

/** The dialect's lines that show a running job's output where the scheduler only writes it at the end (PBS). */
function liveLogLines(context: JobContext, job: Job): string[] {
  const lines = context.dialect.liveLogLines?.(job.logDir) ?? [];
  return lines.length > 0 ? [...lines, ""] : [];
}

/** An advance reservation, where the scheduler has them; the id reaches an argv only, but must look like one. */
function checkReservation(plan: Plan, reservation: string | null): string | null {
  if (!reservation) return null;
  if (!dialectFor(plan.cluster.scheduler).reservations)
    throw new InputError(
      `${plan.cluster.scheduler} takes no advance reservation flag (a PBS reservation is a queue of its own: set the profile's queue)`,
      { code: "E_RESERVATION", field: "--reservation" },
    );
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(reservation))
    throw new InputError(`reservation "${reservation.slice(0, 100)}" has characters a reservation id cannot have`, {
      code: "E_RESERVATION",
      field: "--reservation",
    });
  return reservation;
}

/** The group the caller chose, checked against what the cluster bills (no group where none is billed). */
function checkGroup(plan: Plan, group: string | null): string | null {
  const option = plan.cluster.group;
  if (!option) return null;
  if (!group) {
    throw new InputError(`${plan.cluster.name} bills jobs to a group (${option.flag}) but ${option.env} is not set`, {
      code: "E_NO_GROUP",
      field: "--group",
      hint: `pass --group <name>, export ${option.env}, or set it in ${plan.paths.repoPath}/.env`,
    });
  }
  if (!/^[A-Za-z0-9._-]+$/.test(group))
    throw new InputError(`group "${group.slice(0, 100)}" has characters a scheduler group cannot have`, {
      code: "E_NO_GROUP",
      field: "--group",
    });
  return group;
}

function resolvePriority(cluster: ClusterFacts, requested: number | null | undefined) {
  if (cluster.priorities.length === 0) {
    if (requested !== undefined && requested !== null) {
      throw new InputError(`cluster ${cluster.name} has no priorities`, { code: "E_PRIORITY", field: "--priority" });
    }
    return null;
  }
  const chosen =
    requested === undefined || requested === null ? cluster.priorities[0] : cluster.priorities.find((p) => p.value === requested);
  if (!chosen) {
    throw new InputError(
      `priority ${requested} is not allowed on ${cluster.name}; choose one of ${cluster.priorities.map((p) => `${p.value} (cost x${p.costFactor})`).join(", ")}`,
      { code: "E_PRIORITY", field: "--priority" },
    );
  }
  return chosen;
}
