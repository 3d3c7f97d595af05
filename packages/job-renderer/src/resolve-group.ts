import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Plan } from "@sweval/settings-resolver/schema";

/**
 * The billing group a caller would pass to `renderJobs`: --group, else the cluster's variable
 * (TSUBAME_GROUP, ABCI_GROUP) from the environment, else from the plan's REPO_PATH/.env, read by the loader
 * every sweval tool uses (bash semantics, the environment wins). null where the cluster bills no group.
 */
export async function groupFromEnvironment(
  plan: Plan,
  explicit: string | null | undefined,
  env: NodeJS.ProcessEnv,
): Promise<string | null> {
  const option = plan.cluster.group;
  if (!option) return null;
  if (explicit) return explicit;
  if (env[option.env]) return env[option.env] ?? null;
  const dotenv = resolve(plan.paths.repoPath, ".env");
  if (!existsSync(dotenv)) return null;
  const { loadEnv } = await import("@sweval/env-setup");
  return loadEnv({ file: dotenv, env: { ...env, SWEVAL_ENV_FILE: undefined } }).values[option.env] ?? null;
}
