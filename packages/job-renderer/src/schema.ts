import { z } from "zod";

export const JOBS_KIND = "sweval/jobs";
export const JOBS_VERSION = 1;

export const JobSchema = z.object({
  name: z.string().describe("the scheduler job name: <lang>_<task> of the first task"),
  model: z.string(),
  litellmModel: z.string(),
  customSettings: z.string().nullable(),
  planPath: z.string().describe("the plan file the job reads (saved next to the script)"),
  planFingerprint: z.string(),
  script: z.string().describe("absolute path of the job script"),
  tasks: z.array(z.string()).min(1).describe("task keys this job runs, in order"),
  resources: z.object({ nodeKind: z.string(), gpus: z.number().int(), request: z.string().nullable() }),
  walltime: z.string().describe("HH:MM:SS"),
  walltimeSeconds: z.number().int(),
  priority: z.number().int().nullable(),
  costFactor: z.number().nullable().describe("point cost multiplier of the priority (TSUBAME: x1, x2, x4)"),
  logDir: z.string().describe("must exist before submission; the scheduler writes stdout/stderr here"),
  stdout: z.string().describe("log path; {jobId} stands for the id the scheduler assigns"),
  stderr: z.string(),
  submit: z.object({ argv: z.array(z.string()).min(1).describe("the exact command to submit, no shell involved") }),
  ledger: z.string().optional().describe("the submission ledger kept with the results: <repo>/results/.sweval/ledger.jsonl"),
  resultsDir: z.string().optional().describe("the model's results dir (aggregated_results.json goes here)"),
});
export type Job = z.infer<typeof JobSchema>;

export const JobsManifestSchema = z.object({
  kind: z.literal(JOBS_KIND),
  version: z.literal(JOBS_VERSION),
  generator: z.object({ name: z.string(), version: z.string() }),
  scheduler: z.enum(["grid-engine", "pbs-pro", "slurm", "local"]),
  cluster: z.string(),
  jobCommand: z.enum(["sweval-run", "legacy"]),
  outDir: z.string(),
  jobs: z.array(JobSchema),
});
export type JobsManifest = z.infer<typeof JobsManifestSchema>;
