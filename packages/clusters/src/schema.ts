import { CONTROL_CHARACTERS_MESSAGE, hasControlCharacters, SAFE_NAME } from "@sweval/core";
import { z } from "zod";

/** A string that reaches a directive or a script line: no control characters. */
const lineText = () => z.string().refine((text) => !hasControlCharacters(text), CONTROL_CHARACTERS_MESSAGE);
const safeName = () => z.string().regex(SAFE_NAME, 'letters, digits, ".", "_" or "-" only');

/** The schedulers sweval speaks: one dialect module each (src/dialects/). */
export const SCHEDULERS = ["grid-engine", "pbs-pro", "slurm", "local"] as const;
export const SchedulerSchema = z.enum(SCHEDULERS);
export type Scheduler = z.infer<typeof SchedulerSchema>;

/** The states a job cell can be in, from the queue, accounting and the logs. */
export const JOB_STATES = [
  "not_submitted",
  "queued",
  "transferring",
  "running",
  "done",
  "done_with_errors",
  "error",
  "timeout",
  "deleted",
] as const;
export const JobStateSchema = z.enum(JOB_STATES);
export type JobState = z.infer<typeof JobStateSchema>;

// --- cluster profiles (conf/clusters/<name>.yaml) ---

export const NodeKindSchema = z.object({
  gpus: z.number().int().min(0),
  walltimeColumn: z.enum(["hrt_q", "hrt_f", "wlt_HG", "wlt_HF"]).describe("which tasks_runtime.csv column gives this kind's time limit"),
  maxWalltime: z.string().optional().describe("the longest walltime the site accepts for this kind, HH:MM:SS"),
  cpus: z.number().int().optional(),
  memoryGb: z.number().optional(),
  resource: z.string().optional().describe("the scheduler resource string, e.g. node_q=1 or gpu:1"),
  note: z.string().optional(),
});
export type NodeKind = z.infer<typeof NodeKindSchema>;

export const PrioritySchema = z.object({ value: z.number().int(), costFactor: z.number() });

export const GroupOptionSchema = z
  .object({ env: z.string(), flag: z.string() })
  .nullable()
  .describe("the billing group option and the .env variable that holds it (-g TSUBAME_GROUP, -P ABCI_GROUP)");

export const ToolsSchema = z
  .object({
    vllm: z.array(z.string()).optional().describe("the command that runs vllm; ${REPO_PATH} is replaced"),
    lighteval: z.array(z.string()).optional().describe("the command that runs lighteval; ${REPO_PATH} is replaced"),
  })
  .optional()
  .describe("the tool environments the job uses (default: vllm and lighteval on PATH)");
export type Tools = z.infer<typeof ToolsSchema>;

/** How a site charges a job, and which of its numbers are the operator's own (tsubame-costs.md). */
export const CostsSchema = z.object({
  formula: z
    .enum(["tsubame4", "abci3"])
    .describe(
      "tsubame4: units × type × priority × (0.7 × max(actual, 300 s) + 0.1 × h_rt) / 3600, h_rt's 0.8 held at submission; abci3: rate × max(elapsed, 1.8 s), the walltime limit held and the rest refunded",
    ),
  pointsPerHour: z.record(z.string(), z.number().nonnegative()).describe("points per unit-hour of each node kind"),
  confirmed: z.boolean().describe("false while the coefficients rest on secondary sources"),
  guessed: z.array(z.string()).default([]).describe("node kinds whose coefficient is a guess"),
  gpuMemoryGb: z
    .number()
    .positive()
    .optional()
    .describe("memory of one GPU, for the layout chooser (TSUBAME4: H100 SXM5 94 GB; ABCI 3.0: H200 141 GB)"),
  balance: z
    .object({
      argv: z.array(z.string()).min(1).describe("the command that prints the group's points (the group is appended after -g)"),
      format: z.enum(["t4-user-info"]).describe("t4-user-info group point: columns gid, group_name, deposit, balance"),
    })
    .optional()
    .describe("where submit reads the group's balance, on the login node, before it submits"),
  sources: z.array(z.string()),
});
export type Costs = z.infer<typeof CostsSchema>;

export const ClusterProfileSchema = z.object({
  name: z.string(),
  description: z.string(),
  scheduler: SchedulerSchema,
  legacyService: z.enum(["tsubame", "abci", "local"]).describe("the --service value of the legacy job script"),
  defaultNodeKind: z.string(),
  nodeKinds: z.record(z.string(), NodeKindSchema),
  nodeKindAliases: z
    .record(z.string(), z.string())
    .default({})
    .describe("other clusters' node kind names mapped to this one's (V5 qsub_multi: rt_HG → node_q)"),
  group: GroupOptionSchema,
  priorities: z.array(PrioritySchema).describe("allowed priorities, the first is the default"),
  queue: z.string().nullable().optional(),
  partition: z.string().nullable().optional(),
  jobHeader: z.array(z.string()).default([]).describe("extra directive lines for the job script"),
  setup: z.array(z.string()).default([]).describe("shell lines run at the top of each job: modules, scratch"),
  storageRule: z.string().nullable().optional().describe("a path prefix caches must live under"),
  predownload: z
    .boolean()
    .default(false)
    .describe("download a vLLM model's weights on the login node before submitting (the legacy PREDOWNLOAD_MODEL=true)"),
  costs: CostsSchema.nullable().default(null).describe("how the site charges jobs; null where it charges none"),
  tools: ToolsSchema,
  sources: z.array(z.string()).describe("where each fact came from"),
});
export type ClusterProfile = z.infer<typeof ClusterProfileSchema>;

/**
 * The facts of a cluster a job depends on, resolved from its profile when the plan is made and carried in the
 * plan (covered by its fingerprint), so rendering and running never read the profile again.
 */
export const ClusterFactsSchema = z.object({
  name: safeName(),
  scheduler: SchedulerSchema,
  profilePath: lineText().describe("the profile the facts were resolved from (for people; nothing reads it again)"),
  legacyService: ClusterProfileSchema.shape.legacyService,
  group: GroupOptionSchema,
  priorities: z.array(PrioritySchema),
  queue: lineText().nullable(),
  partition: lineText().nullable(),
  jobHeader: z.array(z.string()),
  setup: z.array(z.string()),
  tools: z.object({ vllm: z.array(z.string()).nullable(), lighteval: z.array(z.string()).nullable() }),
  predownload: z.boolean().default(false).describe("pre-download vLLM models on the login node by default"),
  costs: CostsSchema.nullable().default(null),
});
export type ClusterFacts = z.infer<typeof ClusterFactsSchema>;

/** The node kind a plan runs on, with what the scheduler is asked for. */
export const NodeKindFactsSchema = z.object({
  name: safeName(),
  gpus: z.number().int(),
  walltimeColumn: NodeKindSchema.shape.walltimeColumn,
  resource: lineText().nullable().describe("the scheduler resource string, null for the dialect's default"),
  maxWalltime: z.string().nullable().describe("the longest walltime the site accepts, HH:MM:SS; null when not stated"),
});
export type NodeKindFacts = z.infer<typeof NodeKindFactsSchema>;

/** What a plan carries of its cluster profile. */
export function clusterFacts(profile: ClusterProfile, profilePath: string): ClusterFacts {
  return {
    name: profile.name,
    scheduler: profile.scheduler,
    profilePath,
    legacyService: profile.legacyService,
    group: profile.group,
    priorities: profile.priorities,
    queue: profile.queue ?? null,
    partition: profile.partition ?? null,
    jobHeader: profile.jobHeader,
    setup: profile.setup,
    tools: { vllm: profile.tools?.vllm ?? null, lighteval: profile.tools?.lighteval ?? null },
    predownload: profile.predownload,
    costs: profile.costs,
  };
}

/** What a plan carries of its node kind. */
export function nodeKindFacts(name: string, nodeKind: NodeKind): NodeKindFacts {
  return {
    name,
    gpus: nodeKind.gpus,
    walltimeColumn: nodeKind.walltimeColumn,
    resource: nodeKind.resource ?? null,
    maxWalltime: nodeKind.maxWalltime ?? null,
  };
}

// Light helpers that schema readers need too (no dialects, no YAML).
export { durationSeconds, formatWalltime, parseWalltime } from "./walltime.js";
