// The budget stop: before anything is submitted, the plan's estimate against the limits the user set (--max-points,
// --max-cost, or SWEVAL_MAX_POINTS / SWEVAL_MAX_COST in the environment or .env) and, where the cluster says how, the
// group's balance (TSUBAME's t4-user-info, login node only). A plan over any of them submits nothing.
import { findOnPath, InputError } from "@sweval/core";
import type { JobsManifest } from "@sweval/job-renderer/schema";
import { jobsDotenv } from "./dotenv.js";
import type { Estimate } from "./estimate.js";
import type { Exec } from "./exec.js";

export interface BudgetLimits {
  maxPoints: number | null;
  maxCost: number | null;
}

export interface BudgetVerdict {
  /** Why the plan may not be submitted; empty when it may. */
  refusals: string[];
  /** What was checked, or could not be, for the log. */
  notes: string[];
}

/** The limits from the flags, else from the environment, else from the .env the jobs read. */
export async function budgetLimits(
  flags: { maxPoints?: number; maxCost?: number },
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<BudgetLimits> {
  const { file: dotenv, values } = await jobsDotenv(env.REPO_PATH || cwd, env);
  const from = (name: "SWEVAL_MAX_POINTS" | "SWEVAL_MAX_COST", flag: number | undefined) => {
    if (flag !== undefined) return flag;
    const text = env[name] ?? values[name];
    if (text === undefined || text === "") return null;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0)
      throw new InputError(`${name} must be a number of ${name.endsWith("POINTS") ? "points" : "money"}, got "${text}"`, {
        code: "E_USAGE",
        field: name,
        file: env[name] === undefined ? dotenv : undefined,
      });
    return value;
  };
  return { maxPoints: from("SWEVAL_MAX_POINTS", flags.maxPoints), maxCost: from("SWEVAL_MAX_COST", flags.maxCost) };
}

/** The plan against the limits and the group's balance. */
export async function checkBudget(
  manifest: JobsManifest,
  estimate: Estimate,
  limits: BudgetLimits,
  options: { exec: Exec; env: NodeJS.ProcessEnv },
): Promise<BudgetVerdict> {
  const refusals: string[] = [];
  const notes: string[] = [];
  const held = estimate.total.held;
  if (limits.maxPoints !== null && held > limits.maxPoints)
    refusals.push(`the plan holds ${held} points at submission, above the limit of ${limits.maxPoints} (--max-points / SWEVAL_MAX_POINTS)`);
  const api = estimate.api;
  if (limits.maxCost !== null && api) {
    if (api.total.cost > limits.maxCost)
      refusals.push(
        `the plan's API calls come to about ${api.total.cost.toFixed(2)} ${api.currency}, above the limit of ${limits.maxCost} (--max-cost / SWEVAL_MAX_COST)`,
      );
    if (api.unpriced.length > 0)
      refusals.push(`--max-cost cannot be checked: no price for ${api.unpriced.join(", ")} (add it to ${api.sources.prices})`);
  }
  const balance = manifest.costs?.balance;
  if (balance) {
    const group = billedGroup(manifest);
    const read = await readBalance(balance.argv, group, options);
    if (read.points === null) notes.push(read.note);
    else if (held > read.points)
      refusals.push(`the plan holds ${held} points at submission; group ${group ?? "(default)"} has ${read.points} left (${read.note})`);
    else notes.push(`group ${group ?? "(default)"} has ${read.points} points; the plan holds ${held} (${read.note})`);
  }
  return { refusals, notes };
}

/**
 * `t4-user-info group point` prints `gid group_name deposit balance` rows (tsubame-costs.md §3): the balance of the
 * billed group's row, or of the only row. Missing command, failure or an unreadable answer: null and why.
 */
export function parseT4Balance(stdout: string, group: string | null): number | null {
  const rows = stdout
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 4 && /^\d+$/.test(fields[0] ?? ""));
  const row = group ? rows.find((fields) => fields[1] === group) : rows.length === 1 ? rows[0] : undefined;
  const value = Number((row?.[3] ?? "").replaceAll(",", ""));
  return row && Number.isFinite(value) ? value : null;
}

// --- internal ---

/** The group the jobs bill (`-g GROUP` in their submit argv), where the cluster has one. */
function billedGroup(manifest: JobsManifest): string | null {
  for (const job of manifest.jobs) {
    const argv = job.submit.argv;
    const at = argv.indexOf("-g");
    if (at >= 0 && argv[at + 1]) return argv[at + 1] ?? null;
  }
  return null;
}

async function readBalance(
  argv: string[],
  group: string | null,
  options: { exec: Exec; env: NodeJS.ProcessEnv },
): Promise<{ points: number | null; note: string }> {
  const [command = "", ...args] = argv;
  const shown = [...argv, ...(group ? ["-g", group] : [])].join(" ");
  if (!findOnPath(command, options.env))
    return { points: null, note: `balance not checked: ${command} is not on this node (it runs on the login nodes only)` };
  const answer = await options.exec([command, ...args, ...(group ? ["-g", group] : [])], { env: options.env });
  if (answer.exitCode !== 0)
    return { points: null, note: `balance not checked: ${shown} exited ${answer.exitCode}: ${answer.stderr.trim().split("\n")[0] ?? ""}` };
  const points = parseT4Balance(answer.stdout, group);
  return points === null
    ? { points: null, note: `balance not checked: no row for group ${group ?? "(default)"} in the answer of ${shown}` }
    : { points, note: `from ${shown}` };
}
