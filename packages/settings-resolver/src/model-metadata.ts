import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { ResolvedValue } from "./schema.js";

/** The cap the legacy check_metadata.py applies to every model. */
export const MAX_MODEL_LENGTH_CAP = 32768;
const LENGTH_KEYS = ["max_position_embeddings", "model_max_length", "context_length", "seq_length"] as const;
const THINK_TOKENS = ["<think>", "</think>"];
const THINKING_SWITCH = /\b(enable_thinking|thinking_mode|enable_reasoning|reasoning_effort|thinking_budget)\b/;

export interface DetectModelMetadataOptions {
  modelId: string;
  /** A local model directory; wins over the Hugging Face cache. */
  modelPath?: string | null;
  env: NodeJS.ProcessEnv;
  /** Forbid downloading config files from the Hub. @default false */
  offline?: boolean;
  /** Injected for tests. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** Per-request timeout for Hub downloads. @default 15000 */
  timeoutMs?: number;
}

export interface ModelMetadata {
  maxModelLength: ResolvedValue;
  hasThinkTag: ResolvedValue;
  chatTemplateThinkingSwitch: ResolvedValue;
  /** Where the files came from, or why they could not be read; for --explain. */
  notes: string[];
}

/**
 * Reads a model's config and tokenizer files (local dir, then Hugging Face cache, then the Hub unless
 * offline) and derives max model length = min(32768, first positive of max_position_embeddings,
 * model_max_length, context_length, seq_length) and whether the tokenizer knows `<think>`/`</think>`.
 * Values that cannot be read are marked deferred, for the runner to detect at job start.
 */
export async function detectModelMetadata(options: DetectModelMetadataOptions): Promise<ModelMetadata> {
  const notes: string[] = [];
  const files = await loadModelFiles(options, notes);
  if (!files) {
    const reason = notes.join("; ");
    const deferred = { layer: "deferred" as const, reason };
    return {
      maxModelLength: { value: null, source: deferred },
      hasThinkTag: { value: null, source: deferred },
      chatTemplateThinkingSwitch: { value: null, source: deferred },
      notes,
    };
  }
  return {
    maxModelLength: { value: maxModelLengthFromConfig(files.config.json), source: { layer: "auto-detected", file: files.config.origin } },
    hasThinkTag: thinkTagValue(files),
    chatTemplateThinkingSwitch: thinkingSwitchValue(files),
    notes,
  };
}

/** min(32768, the first positive integer among the length keys, top level first, then text_config). */
export function maxModelLengthFromConfig(config: Record<string, unknown>): number {
  const scopes = [config, config.text_config].filter((s): s is Record<string, unknown> => typeof s === "object" && s !== null);
  for (const scope of scopes) {
    for (const key of LENGTH_KEYS) {
      const value = scope[key];
      if (typeof value === "number" && Number.isInteger(value) && value > 0) return Math.min(MAX_MODEL_LENGTH_CAP, value);
    }
  }
  return MAX_MODEL_LENGTH_CAP;
}

/** The Hugging Face hub cache dirs to look in, most specific first. */
export function hubCacheDirs(env: NodeJS.ProcessEnv): string[] {
  const dirs = [
    env.HF_HUB_CACHE,
    env.HUGGINGFACE_HUB_CACHE,
    env.HF_HOME && join(env.HF_HOME, "hub"),
    // The legacy scripts download with --cache-dir $HUGGINGFACE_CACHE and set HF_HOME to it, so models sit directly there.
    env.HUGGINGFACE_CACHE,
    env.HF_HOME,
    join(env.HOME ?? homedir(), ".cache", "huggingface", "hub"),
  ];
  return [...new Set(dirs.filter((d): d is string => Boolean(d)))];
}

/** `<cache>/models--<org>--<name>/snapshots/<rev>` for refs/main (or the newest snapshot), if present. */
export function findCachedSnapshot(modelId: string, env: NodeJS.ProcessEnv): string | null {
  const folder = `models--${modelId.replaceAll("/", "--")}`;
  for (const cache of hubCacheDirs(env)) {
    const root = join(cache, folder);
    const snapshots = join(root, "snapshots");
    if (!existsSync(snapshots)) continue;
    const ref = join(root, "refs", "main");
    if (existsSync(ref)) {
      const revision = readFileSync(ref, "utf8").trim();
      if (existsSync(join(snapshots, revision))) return join(snapshots, revision);
    }
    const newest = readdirSync(snapshots)
      .map((name) => ({ name, mtime: statSync(join(snapshots, name)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime)[0];
    if (newest) return join(snapshots, newest.name);
  }
  return null;
}

// --- internal ---

interface LoadedJson {
  json: Record<string, unknown>;
  origin: string;
}
interface ModelFiles {
  config: LoadedJson;
  tokenizerConfig: LoadedJson | null;
  tokenizer: LoadedJson | null;
  chatTemplate: { text: string; origin: string } | null;
}

async function loadModelFiles(options: DetectModelMetadataOptions, notes: string[]): Promise<ModelFiles | null> {
  const dir = options.modelPath ?? findCachedSnapshot(options.modelId, options.env);
  if (dir) {
    const config = readLocalJson(join(dir, "config.json"));
    if (config) {
      notes.push(`read model files from ${dir}`);
      const template = join(dir, "chat_template.jinja");
      return {
        config,
        tokenizerConfig: readLocalJson(join(dir, "tokenizer_config.json")),
        tokenizer: readLocalJson(join(dir, "tokenizer.json")),
        chatTemplate: existsSync(template) ? { text: readFileSync(template, "utf8"), origin: template } : null,
      };
    }
    notes.push(`${dir} has no readable config.json`);
  } else {
    notes.push(`"${options.modelId}" is not in the Hugging Face cache (${hubCacheDirs(options.env).join(", ")})`);
  }
  if (options.offline) {
    notes.push("--offline forbids downloading config.json from the Hub");
    return null;
  }
  return downloadModelFiles(options, notes);
}

async function downloadModelFiles(options: DetectModelMetadataOptions, notes: string[]): Promise<ModelFiles | null> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const endpoint = (options.env.HF_ENDPOINT ?? "https://huggingface.co").replace(/\/$/, "");
  const headers: Record<string, string> = {};
  if (options.env.HF_TOKEN) headers.authorization = `Bearer ${options.env.HF_TOKEN}`;
  const get = async (file: string): Promise<LoadedJson | null | Error> => {
    const url = `${endpoint}/${options.modelId}/resolve/main/${file}`;
    try {
      const response = await fetchImpl(url, { headers, signal: AbortSignal.timeout(options.timeoutMs ?? 15_000) });
      if (response.status === 404) return null;
      if (!response.ok) return new Error(`HTTP ${response.status} for ${url}`);
      return { json: (await response.json()) as Record<string, unknown>, origin: url };
    } catch (error) {
      return new Error(`${url}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const config = await get("config.json");
  if (!config || config instanceof Error) {
    notes.push(config ? `download failed: ${config.message}` : `the Hub has no config.json for "${options.modelId}"`);
    return null;
  }
  notes.push(`downloaded config files from ${endpoint}`);
  const [tokenizerConfig, tokenizer] = await Promise.all([get("tokenizer_config.json"), get("tokenizer.json")]);
  return {
    config,
    tokenizerConfig: tokenizerConfig instanceof Error ? null : tokenizerConfig,
    tokenizer: tokenizer instanceof Error ? null : tokenizer,
    chatTemplate: null,
  };
}

function readLocalJson(path: string): LoadedJson | null {
  if (!existsSync(path)) return null;
  try {
    return { json: JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>, origin: path };
  } catch {
    return null;
  }
}

function thinkTagValue(files: ModelFiles): ResolvedValue {
  const sources = [files.tokenizer, files.tokenizerConfig].filter((f): f is LoadedJson => f !== null);
  if (sources.length === 0) {
    return { value: null, source: { layer: "deferred", reason: "no tokenizer.json or tokenizer_config.json next to config.json" } };
  }
  for (const source of sources) {
    if (tokenizerKnowsThink(source.json)) return { value: true, source: { layer: "auto-detected", file: source.origin } };
  }
  return { value: false, source: { layer: "auto-detected", file: sources[0]?.origin ?? "" } };
}

/** True if the vocabulary or the added tokens contain `<think>` or `</think>`. */
function tokenizerKnowsThink(json: Record<string, unknown>): boolean {
  const model = json.model as { vocab?: unknown } | undefined;
  const vocab = model?.vocab;
  if (vocab && typeof vocab === "object" && !Array.isArray(vocab) && THINK_TOKENS.some((t) => t in vocab)) return true;
  const added = json.added_tokens;
  if (Array.isArray(added) && added.some((t) => THINK_TOKENS.includes((t as { content?: string }).content ?? ""))) return true;
  const decoder = json.added_tokens_decoder;
  if (decoder && typeof decoder === "object") {
    return Object.values(decoder).some((t) => THINK_TOKENS.includes((t as { content?: string }).content ?? ""));
  }
  return false;
}

function thinkingSwitchValue(files: ModelFiles): ResolvedValue {
  const template = files.tokenizerConfig?.json.chat_template;
  const texts: Array<{ text: string; origin: string }> = [];
  if (typeof template === "string") texts.push({ text: template, origin: files.tokenizerConfig?.origin ?? "" });
  if (Array.isArray(template)) {
    for (const entry of template)
      texts.push({ text: String((entry as { template?: unknown }).template ?? ""), origin: files.tokenizerConfig?.origin ?? "" });
  }
  if (files.chatTemplate) texts.push(files.chatTemplate);
  if (texts.length === 0) return { value: false, source: { layer: "default", note: "no chat template found" } };
  const hit = texts.find((t) => THINKING_SWITCH.test(t.text));
  return { value: Boolean(hit), source: { layer: "auto-detected", file: (hit ?? texts[0])?.origin ?? "" } };
}
