import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * What the evaluation checkout (REPO_PATH, the project `uv run --project` runs in) pins and ships: the jobs run
 * its vLLM, its Python, its reasoning-parser plugins and its aggregation table, so the plan must know them.
 * Every field is null where the checkout does not say (sweval's own tree, a path that does not exist yet).
 */
export interface CheckoutFacts {
  vllm: { version: string | null; source: string | null };
  python: { version: string | null; source: string | null };
  /** V5's `--reasoning-parser-plugin` loader and the parser names its folder registers. */
  reasoningParserPlugin: { loader: string; dir: string; parsers: string[] } | null;
  /** The aggregation table matching the checkout's own scripts/aggregate_utils/conf.py (107 entries: v202508, 157: v202604). */
  aggregateConf: { name: string; source: string } | null;
  /** Whether the checkout's evaluate_lighteval.sh takes `--trust-remote-code <bool>` (V5 passes it always). */
  legacyTakesTrustRemoteCode: boolean;
}

export const PLUGIN_DIR = "scripts/generation_settings/reasoning_parser";
const PLUGIN_LOADER = "multi_parser_loader.py";
const AGGREGATE_TABLES: Record<number, string> = { 107: "swallow-v202508", 157: "swallow-v202604" };

export function readCheckout(repoPath: string): CheckoutFacts {
  return {
    vllm: pinnedVllm(repoPath),
    python: pinnedPython(repoPath),
    reasoningParserPlugin: reasoningParserPlugin(repoPath),
    aggregateConf: aggregateTable(repoPath),
    legacyTakesTrustRemoteCode: readText(join(repoPath, "scripts/qsub/evaluate_lighteval.sh"))?.includes("--trust-remote-code") ?? false,
  };
}

/**
 * The reasoning parsers vLLM itself registers, per version line (real-programs.md §1.4): names outside the Swallow
 * routing list are refused by the legacy routing anyway. Null for a version this table does not know.
 */
export function builtInReasoningParsers(version: string | null): readonly string[] | null {
  if (!version) return null;
  const [major = 0, minor = 0] = version.split(".").map(Number);
  if (major === 0 && minor === 9) return ["deepseek_r1", "granite", "qwen3"];
  if (major === 0 && minor === 18) return ["deepseek_r1", "granite", "nemotron_v3", "qwen3"];
  return null;
}

/** Whether this vLLM still reads VLLM_USE_V1 (the V0 engine was removed before 0.11; 0.18 logs it as unknown). */
export function readsVllmUseV1(version: string | null): boolean {
  if (!version) return true;
  const [major = 0, minor = 0] = version.split(".").map(Number);
  return major === 0 && minor < 11;
}

// --- internal ---

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** The vllm extra's pin in pyproject.toml, resolved against the versions uv.lock holds. */
function pinnedVllm(repoPath: string): CheckoutFacts["vllm"] {
  const pyprojectPath = join(repoPath, "pyproject.toml");
  const lockPath = join(repoPath, "uv.lock");
  const pyproject = readText(pyprojectPath);
  const lock = readText(lockPath);
  const locked = lock ? [...lock.matchAll(/\[\[package\]\]\s*\nname = "vllm"\s*\nversion = "([^"]+)"/g)].map((m) => m[1] as string) : [];
  const extra = pyproject ? /^\s*vllm\s*=\s*\[([^\]]*)\]/m.exec(pyproject)?.[1] : undefined;
  const spec = extra ? /["']vllm\s*([^"';]*)/.exec(extra)?.[1]?.trim() : undefined;
  const exact = spec ? /^==\s*([\w.]+)$/.exec(spec)?.[1] : undefined;
  const satisfying = locked.filter((version) => (spec ? satisfies(version, spec) : true)).sort(compareVersions);
  const version = satisfying.at(-1) ?? exact ?? null;
  if (!version) return { version: null, source: null };
  return { version, source: satisfying.length > 0 ? lockPath : pyprojectPath };
}

function pinnedPython(repoPath: string): CheckoutFacts["python"] {
  const file = join(repoPath, "pyproject.toml");
  const version = /^\s*requires-python\s*=\s*["']==\s*([\d.]+)["']/m.exec(readText(file) ?? "")?.[1] ?? null;
  return { version, source: version ? file : null };
}

function reasoningParserPlugin(repoPath: string): CheckoutFacts["reasoningParserPlugin"] {
  const dir = join(repoPath, PLUGIN_DIR);
  const loader = join(dir, PLUGIN_LOADER);
  if (!existsSync(loader)) return null;
  const parsers = readdirSync(dir)
    .filter((name) => name.endsWith("_reasoning_parser.py"))
    .map((name) => name.slice(0, -"_reasoning_parser.py".length))
    .sort();
  return { loader, dir, parsers };
}

function aggregateTable(repoPath: string): CheckoutFacts["aggregateConf"] {
  const file = join(repoPath, "scripts/aggregate_utils/conf.py");
  const text = readText(file);
  if (!text) return null;
  const entries = text.match(/["']display_name["']\s*:/g)?.length ?? 0;
  const name = AGGREGATE_TABLES[entries];
  return name ? { name, source: file } : null;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split(/[.+-]/).map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** PEP 440 comparison clauses as pyproject pins use them: ==, !=, >=, <=, >, < (comma-separated). */
function satisfies(version: string, spec: string): boolean {
  return spec.split(",").every((clause) => {
    const match = /^\s*(==|!=|>=|<=|>|<)\s*([\w.]+)\s*$/.exec(clause);
    if (!match) return true;
    const order = compareVersions(version, match[2] as string);
    switch (match[1]) {
      case "==":
        return order === 0;
      case "!=":
        return order !== 0;
      case ">=":
        return order >= 0;
      case "<=":
        return order <= 0;
      case ">":
        return order > 0;
      default:
        return order < 0;
    }
  });
}
