import { InputError } from "@sweval/core";

export type Provider = "vllm" | "openai" | "deepinfra" | "openrouter";
export const PROVIDERS: readonly Provider[] = ["vllm", "openai", "deepinfra", "openrouter"];

export interface ProviderInfo {
  /** Prefix of the results dir: `results/<subdir><model>` (§1.2; openai's model id already starts with openai/). */
  resultsSubdir: string;
  /** litellm model string for a model id. */
  litellmModel(modelId: string): string;
  apiBase: string | null;
  apiKeyEnv: string | null;
  needsGpu: boolean;
}

/** The provider table of the legacy serve_litellm (V4, plus V5's openrouter). */
export const PROVIDER_TABLE: Record<Provider, ProviderInfo> = {
  vllm: { resultsSubdir: "hosted_vllm/", litellmModel: (id) => `hosted_vllm/${id}`, apiBase: null, apiKeyEnv: null, needsGpu: true },
  openai: {
    resultsSubdir: "",
    litellmModel: (id) => id,
    apiBase: "https://api.openai.com/v1",
    apiKeyEnv: "OPENAI_API_KEY",
    needsGpu: false,
  },
  deepinfra: {
    resultsSubdir: "deepinfra/",
    litellmModel: (id) => `deepinfra/${id}`,
    apiBase: "https://api.deepinfra.com/v1/openai",
    apiKeyEnv: "DEEPINFRA_API_KEY",
    needsGpu: false,
  },
  openrouter: {
    resultsSubdir: "openrouter/",
    litellmModel: (id) => `openrouter/${id}`,
    apiBase: null,
    apiKeyEnv: "OPENROUTER_API_KEY",
    needsGpu: false,
  },
};

const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Checks a model id is `<org>/<name>` with safe path segments, so it can never escape the results
 * directory (`..`, absolute paths, empty segments); openai ids must start with `openai/`.
 */
export function validateModelId(modelId: string, provider: Provider): { org: string; name: string } {
  const segments = modelId.split("/");
  const bad = segments.find((s) => !SAFE_SEGMENT.test(s) || s === "." || s === "..");
  if (modelId.startsWith("/") || segments.length !== 2 || bad !== undefined) {
    throw new InputError(
      `model id "${modelId.slice(0, 200)}" must be <org>/<name> with letters, digits, ".", "_" or "-" (no "..", no absolute path)`,
      { code: "E_MODEL_ID", field: "--model", hint: "pass a local checkpoint directory with --model-path and name it with --model" },
    );
  }
  if (provider === "openai" && segments[0] !== "openai") {
    throw new InputError(`with --provider openai the model id must start with "openai/", received "${modelId}"`, {
      code: "E_MODEL_ID",
      field: "--model",
    });
  }
  return { org: segments[0] ?? "", name: segments[1] ?? "" };
}

/** A custom settings name becomes a directory name, so it gets the same rule as a path segment. */
export function validateSettingName(name: string): void {
  if (!SAFE_SEGMENT.test(name)) {
    throw new InputError(`custom settings name "${name.slice(0, 200)}" must be one path segment of letters, digits, ".", "_" or "-"`, {
      code: "E_SETTING_NAME",
      field: "--custom-settings",
    });
  }
}
