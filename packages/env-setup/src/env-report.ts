import { existsSync } from "node:fs";
import { join } from "node:path";
import { embeddedEnvironments, listEnvironments, readEnvironments } from "./environments.js";
import { loadEnv } from "./load-env.js";
import { ENV_REPORT_KIND, ENV_REPORT_VERSION, type EnvReport, isSecretName } from "./schema.js";

export interface EnvReportOptions {
  file?: string | null;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** conf/environments.yaml. @default <cwd>/conf/environments.yaml, else the embedded one */
  environments?: string | null;
}

/** The resolved environment for other tools (`sweval-env print --json`): paths and caches, secrets only as set/missing. */
export async function buildEnvReport(options: EnvReportOptions = {}): Promise<EnvReport> {
  const cwd = options.cwd ?? process.cwd();
  const loaded = loadEnv({ file: options.file, cwd, env: options.env });
  const values: Record<string, string> = {};
  const secrets: Record<string, "set" | "missing"> = {};
  const secretValues = Object.entries(loaded.values)
    .filter(([key, value]) => isSecretName(key) && value)
    .map(([, value]) => value as string);
  for (const [key, value] of Object.entries(loaded.values)) {
    if (value === undefined) continue;
    // A value built from a secret (LITELLM_EXTRA_HEADERS='{"Authorization": "Bearer ${OPENAI_API_KEY}"}') is a secret too.
    const embedsSecret = secretValues.some((secret) => secret.length >= 4 && value.includes(secret));
    if (isSecretName(key) || embedsSecret) secrets[key] = value === "" ? "missing" : "set";
    else values[key] = value;
  }
  for (const key of ["OPENAI_API_KEY", "HF_TOKEN"]) secrets[key] ??= "missing";
  const environmentsFile =
    options.environments ?? (existsSync(join(cwd, "conf/environments.yaml")) ? join(cwd, "conf/environments.yaml") : embeddedEnvironments);
  const repoPath = values.REPO_PATH ?? cwd;
  return {
    kind: ENV_REPORT_KIND,
    version: ENV_REPORT_VERSION,
    envFile: loaded.file,
    values,
    secrets,
    caches: {
      HF_HOME: values.HUGGINGFACE_CACHE ?? null,
      UV_CACHE_DIR: values.UV_CACHE ?? null,
      VLLM_CACHE_ROOT: values.VLLM_CACHE ?? null,
    },
    environments: await listEnvironments(readEnvironments(environmentsFile), repoPath),
  };
}
