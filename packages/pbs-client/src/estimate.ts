import type { Costs } from "@sweval/clusters/schema";
import { InputError } from "@sweval/core";
import type { JobsManifest } from "@sweval/job-renderer/schema";
import type { Plan } from "@sweval/settings-resolver/schema";
import { z } from "zod";
import { type ApiEstimate, ApiEstimateSchema } from "./api-estimate.js";

export const ESTIMATE_KIND = "sweval/estimate";
export const ESTIMATE_VERSION = 1;

const PointsSchema = z.object({
  held: z.number().describe("points taken when the job is submitted (TSUBAME) or starts (ABCI): the deposit"),
  least: z.number().describe("a job that ends at once: TSUBAME's 5-minute floor and 10 % of h_rt, ABCI's 1.8 s"),
  expected: z.number().describe("a job that runs its expected time (the history's median; the whole walltime without one)"),
  worst: z.number().describe("a job that runs its whole walltime"),
});

export const EstimateSchema = z.object({
  kind: z.literal(ESTIMATE_KIND),
  version: z.literal(ESTIMATE_VERSION),
  cluster: z.string(),
  formula: z.enum(["tsubame4", "abci3"]),
  confirmed: z.boolean().describe("false while the site's coefficients rest on secondary sources"),
  jobs: z.array(
    PointsSchema.extend({
      id: z.string(),
      nodeKind: z.string(),
      units: z.number().int(),
      pointsPerHour: z.number(),
      costFactor: z.number(),
      walltimeSeconds: z.number().int(),
      nodeHours: z.number().describe("units × the walltime, in hours"),
      guessed: z.boolean().describe("the node kind's coefficient is a guess"),
      expectedSeconds: z.number().nullable().describe("the run time `expected` assumes; null: none known, the walltime"),
      staticWorst: z.number().nullable().describe("the worst case with tasks_runtime.csv's walltime, where --walltime learned set another"),
    }),
  ),
  total: PointsSchema.extend({
    nodeHours: z.number(),
    staticWorst: z.number().describe("the worst case had every job kept its static walltime"),
    staticHeld: z.number().describe("the deposit had every job kept its static walltime"),
  }),
  api: ApiEstimateSchema.nullable().describe("the API calls' money: provider-served models and MT-Bench judges"),
  legacy: z
    .object({
      layouts: z.array(z.string()).describe("per plan: the node kind and tensor parallelism the legacy sizing guide gives"),
      jobs: z.number().int().describe("one job per task, as qsub_all.sh submits them"),
      held: z.number(),
      worst: z.number(),
    })
    .nullable()
    .describe("the same tasks in the legacy layout, static walltimes (plans made with --layout auto)"),
});
export type Estimate = z.infer<typeof EstimateSchema>;

/**
 * What a manifest's jobs will cost, from the site's formula (tsubame-costs.md §2 and §4): the points held when they
 * are submitted, the least and the most they can be charged. A point of TSUBAME4 is a node_f hour; priorities
 * multiply it (x1, x2, x4). Fractions below 1/10,000 of a point are dropped, as TSUBAME's rules drop them.
 */
export function estimateManifest(manifest: JobsManifest, options: { api?: ApiEstimate | null; plans?: Map<string, Plan> } = {}): Estimate {
  const costs = manifest.costs;
  if (!costs)
    throw new InputError(`cluster ${manifest.cluster} states no charging formula (costs: in its profile)`, {
      code: "E_NO_COSTS",
      field: "costs",
      hint: "TSUBAME4 and ABCI 3.0 profiles have one; render the jobs again with this sweval if the manifest predates it",
    });
  const jobs = manifest.jobs.map((job) => {
    const rate = costs.pointsPerHour[job.resources.nodeKind];
    if (rate === undefined)
      throw new InputError(`no points per hour for node kind ${job.resources.nodeKind} in ${manifest.cluster}'s costs`, {
        code: "E_NO_COSTS",
        field: `costs.pointsPerHour.${job.resources.nodeKind}`,
      });
    const units = 1;
    const factor = job.costFactor ?? 1;
    const perHour = units * rate * factor;
    const expectedSeconds = job.walltimeFrom?.expectedSeconds ?? null;
    const staticSeconds = job.walltimeFrom?.staticSeconds;
    const fixed =
      staticSeconds !== undefined && staticSeconds !== job.walltimeSeconds ? charges(costs, perHour, staticSeconds, null) : null;
    return {
      id: job.id,
      nodeKind: job.resources.nodeKind,
      units,
      pointsPerHour: rate,
      costFactor: factor,
      walltimeSeconds: job.walltimeSeconds,
      nodeHours: round((units * job.walltimeSeconds) / 3600),
      guessed: costs.guessed.includes(job.resources.nodeKind),
      expectedSeconds,
      ...charges(costs, perHour, job.walltimeSeconds, expectedSeconds),
      staticWorst: fixed?.worst ?? null,
      staticHeld: fixed?.held ?? null,
    };
  });
  const sum = (key: "held" | "least" | "expected" | "worst" | "nodeHours") => round(jobs.reduce((total, job) => total + job[key], 0));
  const staticSum = (key: "held" | "worst") =>
    round(jobs.reduce((total, job) => total + ((key === "held" ? job.staticHeld : job.staticWorst) ?? job[key]), 0));
  return {
    kind: ESTIMATE_KIND,
    version: ESTIMATE_VERSION,
    cluster: manifest.cluster,
    formula: costs.formula,
    confirmed: costs.confirmed,
    jobs: jobs.map(({ staticHeld: _, ...job }) => job),
    total: {
      held: sum("held"),
      least: sum("least"),
      expected: sum("expected"),
      worst: sum("worst"),
      nodeHours: sum("nodeHours"),
      staticWorst: staticSum("worst"),
      staticHeld: staticSum("held"),
    },
    api: options.api ?? null,
    legacy: legacyEstimate(manifest, costs, options.plans),
  };
}

/**
 * The plans' tasks as the legacy scripts would run them (--layout auto records that layout): one job per task on the
 * sizing guide's node kind with its static walltime, at the same priority.
 */
function legacyEstimate(manifest: JobsManifest, costs: Costs, plans: Map<string, Plan> | undefined): Estimate["legacy"] {
  const seen = new Set<string>();
  const layouts: string[] = [];
  let held = 0;
  let worst = 0;
  let jobs = 0;
  for (const job of manifest.jobs) {
    const legacy = plans?.get(job.planPath)?.layout?.legacy;
    if (!legacy) continue;
    const rate = costs.pointsPerHour[legacy.nodeKind];
    if (rate === undefined) continue;
    if (!seen.has(job.planPath)) layouts.push(`${legacy.nodeKind}, tensor-parallel ${legacy.tensorParallel}`);
    seen.add(job.planPath);
    for (const task of job.tasks) {
      const seconds = legacy.walltimes[task];
      if (seconds === undefined) continue;
      const charged = charges(costs, rate * (job.costFactor ?? 1), seconds, null);
      held += charged.held;
      worst += charged.worst;
      jobs += 1;
    }
  }
  return jobs === 0 ? null : { layouts, jobs, held: round(held), worst: round(worst) };
}

/** The estimate as a table: one line per job and the total, with what the numbers rest on. */
export function renderEstimate(estimate: Estimate): string {
  const rows = [
    ["job", "kind", "x", "h_rt h", "held", "least", "expected", "worst"],
    ...estimate.jobs.map((job) => [
      job.id,
      `${job.nodeKind}${job.guessed ? "?" : ""}`,
      String(job.costFactor),
      String(round(job.walltimeSeconds / 3600)),
      String(job.held),
      String(job.least),
      `${job.expected}${job.expectedSeconds === null ? "*" : ""}`,
      String(job.worst),
    ]),
    [
      "total",
      "",
      "",
      String(estimate.total.nodeHours),
      String(estimate.total.held),
      String(estimate.total.least),
      String(estimate.total.expected),
      String(estimate.total.worst),
    ],
  ];
  const notes = [
    `points (${estimate.formula} formula${estimate.confirmed ? "" : "; its coefficients are not confirmed by the operator"}${estimate.jobs.some((job) => job.guessed) ? "; ? marks a guessed coefficient" : ""})`,
  ];
  if (estimate.jobs.some((job) => job.expectedSeconds === null))
    notes.push("* no run history for the job: expected assumes it runs its whole walltime (render with --walltime learned)");
  if (estimate.total.staticWorst !== estimate.total.worst)
    notes.push(
      `learned walltimes: ${estimate.total.worst} points at worst and ${estimate.total.held} held, against ${estimate.total.staticWorst} and ${estimate.total.staticHeld} with tasks_runtime.csv's (${round(estimate.total.staticWorst - estimate.total.worst)} fewer)`,
    );
  const legacy = estimate.legacy;
  if (legacy)
    notes.push(
      `legacy layout (${legacy.layouts.join("; ")}; ${legacy.jobs} jobs, one per task, static walltimes): ${legacy.held} points held, ${legacy.worst} at worst; this plan: ${estimate.total.held} and ${estimate.total.worst}`,
    );
  return `${table(rows)}${notes.join("\n")}\n${estimate.api ? renderApi(estimate.api) : ""}`;
}

/** The API part: one line per task and role, the total, and what it rests on. */
function renderApi(api: ApiEstimate): string {
  if (api.calls.length === 0 && api.unknownTasks.length === 0) return "";
  const rows = [
    ["task", "role", "model", "calls", "in tokens", "out tokens", api.currency],
    ...api.calls.map((entry) => [
      `${entry.job.split("/").pop()}`,
      entry.role,
      entry.model,
      String(entry.calls),
      String(entry.inputTokens),
      String(entry.outputTokens),
      entry.cost === null ? "no price" : entry.cost.toFixed(2),
    ]),
    ["total", "", "", String(api.total.calls), String(api.total.inputTokens), String(api.total.outputTokens), api.total.cost.toFixed(2)],
  ];
  const notes = [
    `API calls (an estimate: documents × samples × turns × max_new_tokens, an upper bound on the output; prices from ${api.sources.prices}, sizes from ${api.sources.samples})`,
    ...(api.unpriced.length ? [`no price for ${api.unpriced.join(", ")}: not in the total`] : []),
    ...(api.unknownTasks.length ? [`no size for ${api.unknownTasks.join(", ")}: not estimated`] : []),
  ];
  return `\n${table(rows)}${notes.join("\n")}\n`;
}

/** Columns padded to their widest cell; the first left-aligned, numbers right-aligned. */
function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  const lines = rows.map((row) =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join("  "),
  );
  return `${lines.join("\n")}\n`;
}

/** One line for a person: what submitting would hold, and the range it would cost. */
export function estimateSummary(estimate: Estimate): string {
  const api =
    estimate.api && estimate.api.calls.length > 0
      ? `; API about ${estimate.api.total.cost.toFixed(2)} ${estimate.api.currency} (${estimate.api.total.calls} calls)`
      : "";
  return `${estimate.jobs.length} job(s) on ${estimate.cluster}: ${estimate.total.held} points held at submission, ${estimate.total.least}–${estimate.total.worst} charged, ${estimate.total.expected} expected (${estimate.total.nodeHours} node-hours of walltime)${api}`;
}

// --- internal ---

/** Points dropped below 1/10,000 (TSUBAME rules, Art. 4(1)); ABCI rounds at the 5th decimal, as close as this gets. */
function round(points: number): number {
  return Math.floor(points * 10_000 + 1e-9) / 10_000;
}

/** Points for a job of this walltime that ends at once, after `expectedSeconds` (or its walltime), or at its limit. */
function charges(costs: Costs, perHour: number, walltimeSeconds: number, expectedSeconds: number | null) {
  const hours = walltimeSeconds / 3600;
  const ran = Math.min(expectedSeconds ?? walltimeSeconds, walltimeSeconds);
  if (costs.formula === "tsubame4") {
    // 0.7 × max(actual, 300 s) + 0.1 × h_rt: a whole h_rt pays 0.8 of it, an instant end the floor and the 10 %.
    const charged = (seconds: number) => round(perHour * ((0.7 * Math.max(seconds, 300)) / 3600 + 0.1 * hours));
    const worst = charged(walltimeSeconds);
    return { held: worst, least: charged(0), expected: charged(ran), worst };
  }
  // ABCI 3.0: the walltime limit is held at start; the actual elapsed time (at least 1.8 s) is charged.
  const charged = (seconds: number) => round((perHour * Math.max(seconds, 1.8)) / 3600);
  const worst = charged(walltimeSeconds);
  return { held: worst, least: charged(0), expected: charged(ran), worst };
}
