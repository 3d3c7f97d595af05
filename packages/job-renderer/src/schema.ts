import { CostsSchema, SchedulerSchema } from "@sweval/clusters/schema";
import { parseDocument } from "@sweval/core";
import { z } from "zod";

export const JOBS_KIND = "sweval/jobs";
/** 2: the manifest is the whole job graph (`id`, `after`); the aggregation step is a job like the others. */
export const JOBS_VERSION = 2;

/**
 * The last line a successful job prints: the legacy job's own words, which the status board reads to tell
 * done from failed. The job's contract, so it lives with the job's schema.
 */
export const COMPLETION_LINE = "✅ Result aggregation was successfully done.";

/** Where a job's walltime came from: tasks_runtime.csv's column, or the ledger's history (`--walltime learned`). */
export const WalltimeFromSchema = z.object({
  source: z.enum(["static", "learned"]),
  staticSeconds: z.number().int().describe("what tasks_runtime.csv's column gives, for the estimate's comparison"),
  samples: z.number().int().describe("finished runs of this task × node kind × size class in the history"),
  timeouts: z.number().int().describe("runs of it that were killed at their walltime"),
  expectedSeconds: z.number().nullable().describe("the median past run time: what the estimate expects; null without history"),
});
export type WalltimeFrom = z.infer<typeof WalltimeFromSchema>;

export const JobSchema = z.object({
  id: z.string().describe("unique in the manifest: the script's path under the output dir, without .sh"),
  name: z.string().describe("the scheduler job name: <lang>_<task> of the first task, or aggregate"),
  after: z.array(z.string()).describe("ids of the jobs in this manifest that must end first (any exit status)"),
  model: z.string(),
  litellmModel: z.string(),
  customSettings: z.string().nullable(),
  planPath: z.string().describe("the plan file the job reads (saved next to the script)"),
  planFingerprint: z.string(),
  script: z.string().describe("absolute path of the job script"),
  tasks: z.array(z.string()).min(1).describe("task keys this job runs, in order (aggregate for the aggregation job)"),
  resources: z.object({ nodeKind: z.string(), gpus: z.number().int(), request: z.string().nullable() }),
  walltime: z.string().describe("HH:MM:SS"),
  walltimeSeconds: z.number().int(),
  priority: z.number().int().nullable(),
  costFactor: z.number().nullable().describe("point cost multiplier of the priority (TSUBAME: x1, x2, x4)"),
  logDir: z.string().describe("must exist before submission; the scheduler writes stdout/stderr here"),
  stdout: z.string().describe("log path; {jobId} stands for the id the scheduler assigns"),
  stderr: z.string(),
  submit: z.object({
    argv: z
      .array(z.string())
      .min(1)
      .describe("the exact command to submit, no shell involved; dependencies on `after` are added at submission"),
  }),
  ledger: z.string().optional().describe("the submission ledger kept with the results: <repo>/results/.sweval/ledger.jsonl"),
  resultsDir: z.string().optional().describe("the model's results dir (aggregated_results.json goes here)"),
  sizeClass: z.string().optional().describe("the model's size class (<=10B, <=40B, …), which learned walltimes are kept by"),
  walltimeFrom: WalltimeFromSchema.optional().describe("set by --walltime learned; absent: the static column"),
});
export type Job = z.infer<typeof JobSchema>;

/**
 * What a renderer reads of a submission ledger (written by sweval-pbs) to learn walltimes: a job's submitted line
 * and the settled line the board wrote from accounting. sweval-pbs's own schema for those lines satisfies this one.
 */
export const LedgerRunLineSchema = z.discriminatedUnion("event", [
  z.object({
    event: z.literal("submitted"),
    scheduler: z.string(),
    jobId: z.string(),
    job: JobSchema.pick({ tasks: true, resources: true, model: true, walltimeSeconds: true, sizeClass: true }),
  }),
  z.object({
    event: z.literal("settled"),
    scheduler: z.string(),
    jobId: z.string(),
    state: z.string(),
    elapsedSeconds: z.number().nullable().optional(),
  }),
]);

/**
 * The installed tools a job runs, as absolute paths on the login node that rendered it: jobs run the same
 * install, found without the compute node's PATH. Null where the renderer found none (the job then looks on PATH).
 */
export const JobToolsSchema = z.object({
  node: z.string().describe("the node executable the renderer ran under (SWEVAL_NODE overrides it in the job)"),
  run: z.string().nullable().describe("the sweval-run entry point (SWEVAL_RUN names another command)"),
  aggregate: z.string().nullable().describe("the sweval-aggregate entry point (SWEVAL_AGGREGATE names another command)"),
});
export type JobTools = z.infer<typeof JobToolsSchema>;

/** The tools a job runs: the manifest's `tools` key, the bin, the package that ships it, the variable that replaces it. */
export const JOB_TOOLS = {
  run: { key: "run", bin: "sweval-run", packageName: "@sweval/inference-runner", variable: "SWEVAL_RUN" },
  aggregate: { key: "aggregate", bin: "sweval-aggregate", packageName: "@sweval/aggregator", variable: "SWEVAL_AGGREGATE" },
} as const;
export type JobTool = (typeof JOB_TOOLS)[keyof typeof JOB_TOOLS];

export const JobsManifestSchema = z
  .object({
    kind: z.literal(JOBS_KIND),
    version: z.literal(JOBS_VERSION),
    generator: z.object({ name: z.string(), version: z.string() }),
    scheduler: SchedulerSchema,
    cluster: z.string(),
    jobCommand: z.enum(["sweval-run", "legacy"]),
    outDir: z.string(),
    tools: JobToolsSchema.nullable()
      .optional()
      .describe("what the jobs run; absent in manifests from before it was recorded (the jobs look on PATH)"),
    costs: CostsSchema.nullable()
      .optional()
      .describe("how the cluster charges these jobs (from its profile), for sweval-pbs estimate; absent in older manifests"),
    downloads: z
      .array(
        z.object({
          model: z.string().describe("the Hugging Face id vLLM serves"),
          repoPath: z.string().describe("the checkout whose .env (HF_TOKEN, HUGGINGFACE_CACHE) the download uses"),
          byDefault: z.boolean().describe("the cluster profile pre-downloads (the legacy PREDOWNLOAD_MODEL=true)"),
        }),
      )
      .optional()
      .describe("models sweval-pbs submit downloads on the login node before submitting; none for rehearsals"),
    jobs: z.array(JobSchema),
  })
  .superRefine((manifest, context) => {
    const ids = new Set<string>();
    for (const [index, job] of manifest.jobs.entries()) {
      if (ids.has(job.id)) context.addIssue({ code: "custom", path: ["jobs", index, "id"], message: `job id ${job.id} appears twice` });
      for (const dependency of job.after)
        if (!ids.has(dependency))
          context.addIssue({
            code: "custom",
            path: ["jobs", index, "after"],
            message: `${job.id} runs after ${dependency}, which is not an earlier job of this manifest`,
          });
      ids.add(job.id);
    }
  });
export type JobsManifest = z.infer<typeof JobsManifestSchema>;

/** The version 1 manifest (before the job graph): no `id`, no `after`. Still read by sweval-pbs. */
export const JobsManifestV1Schema = z.object({
  kind: z.literal(JOBS_KIND),
  version: z.literal(1),
  generator: z.object({ name: z.string(), version: z.string() }),
  scheduler: SchedulerSchema,
  cluster: z.string(),
  jobCommand: z.enum(["sweval-run", "legacy"]),
  outDir: z.string(),
  jobs: z.array(JobSchema.omit({ id: true, after: true })),
});

/**
 * Reads a jobs manifest of either version with its schema; a version 1 manifest becomes version 2 with each
 * job's id taken from its script path and no dependencies, which is what it meant.
 */
export function parseJobsManifest(document: unknown, source: string): JobsManifest {
  const version = (document as { version?: unknown } | null)?.version;
  if (version !== 1) return parseDocument(JobsManifestSchema, document, { kind: JOBS_KIND, version: JOBS_VERSION }, source);
  const v1 = parseDocument(JobsManifestV1Schema, document, { kind: JOBS_KIND, version: 1 }, source);
  const jobs = v1.jobs.map((job) => ({ ...job, id: scriptId(v1.outDir, job.script), after: [] }));
  return parseDocument(JobsManifestSchema, { ...v1, version: JOBS_VERSION, jobs }, { kind: JOBS_KIND, version: JOBS_VERSION }, source);
}

/** A job's id: its script's path under the output dir, without `.sh`. */
export function scriptId(outDir: string, script: string): string {
  const inside = script.startsWith(`${outDir}/`) ? script.slice(outDir.length + 1) : script;
  return inside.replace(/\.sh$/, "");
}
