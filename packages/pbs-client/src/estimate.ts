import type { Costs } from "@sweval/clusters/schema";
import { InputError } from "@sweval/core";
import type { JobsManifest } from "@sweval/job-renderer/schema";
import { z } from "zod";

export const ESTIMATE_KIND = "sweval/estimate";
export const ESTIMATE_VERSION = 1;

const PointsSchema = z.object({
  held: z.number().describe("points taken when the job is submitted (TSUBAME) or starts (ABCI): the deposit"),
  least: z.number().describe("a job that ends at once: TSUBAME's 5-minute floor and 10 % of h_rt, ABCI's 1.8 s"),
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
    }),
  ),
  total: PointsSchema.extend({ nodeHours: z.number() }),
});
export type Estimate = z.infer<typeof EstimateSchema>;

/**
 * What a manifest's jobs will cost, from the site's formula (tsubame-costs.md §2 and §4): the points held when they
 * are submitted, the least and the most they can be charged. A point of TSUBAME4 is a node_f hour; priorities
 * multiply it (x1, x2, x4). Fractions below 1/10,000 of a point are dropped, as TSUBAME's rules drop them.
 */
export function estimateManifest(manifest: JobsManifest): Estimate {
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
    return {
      id: job.id,
      nodeKind: job.resources.nodeKind,
      units,
      pointsPerHour: rate,
      costFactor: factor,
      walltimeSeconds: job.walltimeSeconds,
      nodeHours: round((units * job.walltimeSeconds) / 3600),
      guessed: costs.guessed.includes(job.resources.nodeKind),
      ...charges(costs, units * rate * factor, job.walltimeSeconds),
    };
  });
  const sum = (key: "held" | "least" | "worst" | "nodeHours") => round(jobs.reduce((total, job) => total + job[key], 0));
  return {
    kind: ESTIMATE_KIND,
    version: ESTIMATE_VERSION,
    cluster: manifest.cluster,
    formula: costs.formula,
    confirmed: costs.confirmed,
    jobs,
    total: { held: sum("held"), least: sum("least"), worst: sum("worst"), nodeHours: sum("nodeHours") },
  };
}

/** The estimate as a table: one line per job and the total, with what the numbers rest on. */
export function renderEstimate(estimate: Estimate): string {
  const rows = [
    ["job", "kind", "x", "h_rt h", "held", "least", "worst"],
    ...estimate.jobs.map((job) => [
      job.id,
      `${job.nodeKind}${job.guessed ? "?" : ""}`,
      String(job.costFactor),
      String(round(job.walltimeSeconds / 3600)),
      String(job.held),
      String(job.least),
      String(job.worst),
    ]),
    [
      "total",
      "",
      "",
      String(estimate.total.nodeHours),
      String(estimate.total.held),
      String(estimate.total.least),
      String(estimate.total.worst),
    ],
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  const lines = rows.map((row) =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join("  "),
  );
  const note = `points (${estimate.formula} formula${estimate.confirmed ? "" : "; its coefficients are not confirmed by the operator"}${estimate.jobs.some((job) => job.guessed) ? "; ? marks a guessed coefficient" : ""})`;
  return `${lines.join("\n")}\n${note}\n`;
}

/** One line for a person: what submitting would hold, and the range it would cost. */
export function estimateSummary(estimate: Estimate): string {
  return `${estimate.jobs.length} job(s) on ${estimate.cluster}: ${estimate.total.held} points held at submission, ${estimate.total.least}–${estimate.total.worst} charged (${estimate.total.nodeHours} node-hours of walltime)`;
}

// --- internal ---

/** Points dropped below 1/10,000 (TSUBAME rules, Art. 4(1)); ABCI rounds at the 5th decimal, as close as this gets. */
function round(points: number): number {
  return Math.floor(points * 10_000 + 1e-9) / 10_000;
}

function charges(costs: Costs, perHour: number, walltimeSeconds: number) {
  const hours = walltimeSeconds / 3600;
  if (costs.formula === "tsubame4") {
    // 0.7 × max(actual, 300 s) + 0.1 × h_rt: a whole h_rt pays 0.8 of it, an instant end the floor and the 10 %.
    const worst = round(perHour * 0.8 * hours);
    return { held: worst, least: round(perHour * ((0.7 * 300) / 3600 + 0.1 * hours)), worst };
  }
  // ABCI 3.0: the walltime limit is held at start; the actual elapsed time (at least 1.8 s) is charged.
  const worst = round(perHour * hours);
  return { held: worst, least: round((perHour * 1.8) / 3600), worst };
}
