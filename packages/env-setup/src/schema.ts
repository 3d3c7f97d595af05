import { z } from "zod";

/** The variables sweval tools and job scripts read from .env (legacy-workflow §9, V5 additions, job-time tuning). */
export const ENV_VARIABLES = {
  GROUP_AND_NAME: { secret: false, kind: "text", purpose: "helper: <group>/<your name>" },
  REPO_PATH: { secret: false, kind: "dir", purpose: "checkout that results/ and lighteval/outputs/ live under" },
  STORE_PATH: { secret: false, kind: "dir", purpose: "V5: large-storage root for results" },
  HUGGINGFACE_CACHE: { secret: false, kind: "cache", purpose: "Hugging Face cache (HF_HOME in jobs)" },
  UV_CACHE: { secret: false, kind: "cache", purpose: "uv package cache" },
  VLLM_CACHE: { secret: false, kind: "cache", purpose: "vLLM cache" },
  TSUBAME_GROUP: { secret: false, kind: "group", purpose: "TSUBAME4 qsub -g" },
  ABCI_GROUP: { secret: false, kind: "group", purpose: "ABCI qsub -P" },
  OPENAI_API_KEY: { secret: true, kind: "key", purpose: "OpenAI: MT-Bench judge and the openai provider" },
  DEEPINFRA_API_KEY: { secret: true, kind: "key", purpose: "DeepInfra provider" },
  OPENROUTER_API_KEY: { secret: true, kind: "key", purpose: "OpenRouter provider" },
  HF_TOKEN: { secret: true, kind: "key", purpose: "Hugging Face token" },
  REQUEST_TIMEOUT: { secret: false, kind: "number", purpose: "litellm request timeout (s)" },
  LITELLM_CONCURRENT_CALLS: { secret: false, kind: "number", purpose: "concurrent requests per lighteval run" },
} as const;
export type EnvVariable = keyof typeof ENV_VARIABLES;

/** Whether a variable holds a secret: the known keys, and anything named like one. */
export function isSecretName(name: string): boolean {
  const known = ENV_VARIABLES[name as EnvVariable];
  return known ? known.secret : /KEY|TOKEN|SECRET|PASSWORD|PASSWD/i.test(name);
}

const text = z.string().optional();

/** The loaded environment, typed: every known variable is an optional string; numbers must parse. */
export const SwevalEnvSchema = z
  .object({
    GROUP_AND_NAME: text,
    REPO_PATH: text,
    STORE_PATH: text,
    HUGGINGFACE_CACHE: text,
    UV_CACHE: text,
    VLLM_CACHE: text,
    TSUBAME_GROUP: text,
    ABCI_GROUP: text,
    OPENAI_API_KEY: text,
    DEEPINFRA_API_KEY: text,
    OPENROUTER_API_KEY: text,
    HF_TOKEN: text,
    REQUEST_TIMEOUT: z
      .string()
      .regex(/^\d+(\.\d+)?$/, "expected seconds, e.g. 6000")
      .optional(),
    LITELLM_CONCURRENT_CALLS: z.string().regex(/^\d+$/, "expected a whole number, e.g. 50").optional(),
  })
  .catchall(z.string());
export type SwevalEnv = z.infer<typeof SwevalEnvSchema>;

export const ENV_REPORT_KIND = "sweval/env";
export const ENV_REPORT_VERSION = 1;

/** What `sweval-env print --json` writes: the resolved, non-secret environment. */
export const EnvReportSchema = z.object({
  kind: z.literal(ENV_REPORT_KIND),
  version: z.literal(ENV_REPORT_VERSION),
  envFile: z.string().nullable().describe("the .env read, or null when none exists"),
  values: z.record(z.string(), z.string()).describe("non-secret variables, expanded"),
  secrets: z.record(z.string(), z.enum(["set", "missing"])).describe("secret variables: only whether they are set"),
  caches: z.object({ HF_HOME: z.string().nullable(), UV_CACHE_DIR: z.string().nullable(), VLLM_CACHE_ROOT: z.string().nullable() }),
  environments: z.array(z.object({ name: z.string(), purpose: z.string(), path: z.string(), exists: z.boolean(), upToDate: z.boolean() })),
});
export type EnvReport = z.infer<typeof EnvReportSchema>;
