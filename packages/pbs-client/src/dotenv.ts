import { existsSync } from "node:fs";
import { join } from "node:path";

/**
 * The values of the .env the jobs read ($SWEVAL_ENV_FILE, else the checkout's), for the login-node steps of submit
 * (pre-download, budget); the file's path too, for messages. None when it does not exist.
 */
export async function jobsDotenv(
  repoPath: string,
  env: NodeJS.ProcessEnv,
): Promise<{ file: string; values: Record<string, string | undefined> }> {
  const file = env.SWEVAL_ENV_FILE || join(repoPath, ".env");
  if (!existsSync(file)) return { file, values: {} };
  const { loadEnv } = await import("@sweval/env-setup");
  return { file, values: loadEnv({ file, env }).values as Record<string, string | undefined> };
}
