import { existsSync, readFileSync } from "node:fs";
import { parseDocument, parseJsonText, WorkError, writeFileAtomic } from "@sweval/core";
import { PROVIDER_TABLE, type Provider } from "@sweval/settings-resolver";
import { PROVIDER_LIMITS_KIND, PROVIDER_LIMITS_VERSION, type ProviderLimits, ProviderLimitsSchema } from "@sweval/settings-resolver/schema";

export interface ProbeOptions {
  provider: Provider;
  model: string;
  /** @default the provider's API base (openai, deepinfra), https://openrouter.ai/api/v1, or required for vllm */
  baseUrl?: string | null;
  /** The n to try first. @default 5 */
  n?: number;
  /** The largest n to look for. @default 128 */
  maxN?: number;
  env: NodeJS.ProcessEnv;
  fetch?: typeof globalThis.fetch;
  timeoutMs?: number;
}

export interface ProbeResult {
  provider: Provider;
  model: string;
  baseUrl: string;
  answered: boolean;
  maxN: number;
  latencyMs: number;
  tried: Array<{ n: number; ok: boolean; status: number; ms: number }>;
}

/**
 * One small chat request to the endpoint (manual §3.4): does it answer, how long it takes, and the largest
 * `n` it accepts, found by doubling then bisecting. The API key is read from the provider's variable and
 * never printed.
 */
export async function probeEndpoint(options: ProbeOptions): Promise<ProbeResult> {
  const info = PROVIDER_TABLE[options.provider];
  const baseUrl = (options.baseUrl ?? info.apiBase ?? (options.provider === "openrouter" ? "https://openrouter.ai/api/v1" : null))?.replace(
    /\/$/,
    "",
  );
  if (!baseUrl)
    throw new WorkError("no endpoint to probe: pass --base-url (e.g. http://localhost:8000/v1 for a vLLM server)", { code: "E_USAGE" });
  const key = info.apiKeyEnv ? options.env[info.apiKeyEnv] : undefined;
  const model = options.provider === "openai" ? options.model.replace(/^openai\//, "") : options.model;
  const tried: ProbeResult["tried"] = [];
  const attempt = async (n: number) => {
    const started = Date.now();
    let status = 0;
    try {
      const response = await (options.fetch ?? fetch)(`${baseUrl}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ model, messages: [{ role: "user", content: "Reply with one word: ok" }], n, max_tokens: 4 }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
      });
      status = response.status;
      const body = response.ok ? ((await response.json()) as { choices?: unknown[] }) : null;
      const ok = Boolean(body?.choices && body.choices.length >= n);
      tried.push({ n, ok, status, ms: Date.now() - started });
      return ok;
    } catch {
      tried.push({ n, ok: false, status, ms: Date.now() - started });
      return false;
    }
  };
  const answered = await attempt(1);
  if (!answered)
    return { provider: options.provider, model: options.model, baseUrl, answered, maxN: 0, latencyMs: tried[0]?.ms ?? 0, tried };
  const limit = options.maxN ?? 128;
  let good = 1;
  let bad = limit + 1;
  for (let n = Math.min(options.n ?? 5, limit); n <= limit; n = Math.min(limit, n * 2)) {
    if (await attempt(n)) good = n;
    else {
      bad = n;
      break;
    }
    if (n === limit) break;
  }
  while (bad - good > 1) {
    const mid = Math.floor((good + bad) / 2);
    if (await attempt(mid)) good = mid;
    else bad = mid;
  }
  const latencies = tried
    .filter((t) => t.ok)
    .map((t) => t.ms)
    .sort((a, b) => a - b);
  return {
    provider: options.provider,
    model: options.model,
    baseUrl,
    answered,
    maxN: good,
    latencyMs: latencies[Math.floor(latencies.length / 2)] ?? 0,
    tried,
  };
}

/** Records what a probe learned in conf/provider_limits.json, which the resolver reads for max_n. */
export async function writeProviderLimits(file: string, result: ProbeResult): Promise<void> {
  const document: ProviderLimits = existsSync(file)
    ? parseDocument(
        ProviderLimitsSchema,
        parseJsonText(readFileSync(file, "utf8"), file),
        { kind: PROVIDER_LIMITS_KIND, version: PROVIDER_LIMITS_VERSION },
        file,
      )
    : { kind: PROVIDER_LIMITS_KIND, version: PROVIDER_LIMITS_VERSION, limits: {} };
  document.limits[`${result.provider}/${result.model}`] = {
    maxN: result.maxN,
    latencyMs: result.latencyMs,
    baseUrl: result.baseUrl,
    probedAt: new Date().toISOString(),
  };
  await writeFileAtomic(file, `${JSON.stringify(document, null, 2)}\n`);
}
