import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { didYouMean, formatIssues, InputError } from "@sweval/core";
import type { Document } from "yaml";
import { defineAggregateConfSchema } from "./conf-schema.js";
import { AGGREGATE_FUNCTIONS, CONF_KIND, CONF_VERSION } from "./constants.js";
import type { ConfColumn } from "./schema.js";

/** The tables shipped in this package (copied from the repository's conf/aggregate at build time). */
export const embeddedConfDir = fileURLToPath(new URL("../defaults/conf/aggregate/", import.meta.url));
export const DEFAULT_CONF = "swallow-v202508";

/** A column ready to evaluate: lists normalised, white list resolved, problems kept for the -1 message. */
export interface ResolvedColumn {
  name: string;
  fn: string;
  metrics: string[];
  tasks: string[];
  whiteList: string[];
  group: string;
  /** Where the column was declared, for messages. */
  at: { file: string; line: number };
  /** Why the column cannot be computed (unknown function or white list); the column is then -1. */
  problem?: string;
}

export interface ResolvedConf {
  name: string;
  files: string[];
  whiteLists: Record<string, string[]>;
  columns: ResolvedColumn[];
}

/**
 * Reads an aggregation table by name (conf/aggregate/NAME.yaml under root, else embedded) or path,
 * following `extends`. A malformed file is an InputError (exit 2, nothing written); an unknown function or
 * white list only marks that column, which then aggregates to -1 with a message.
 */
export function readAggregateConf(nameOrPath: string = DEFAULT_CONF, root: string = process.cwd(), seen: string[] = []): ResolvedConf {
  const file = locateConf(nameOrPath, root);
  if (seen.includes(file)) throw new InputError(`"extends" loops back to ${file}`, { code: "E_CONF", file });
  const text = readFileSync(file, "utf8");
  // Parsing YAML is most of a one-shot run's time, so a resolved table is cached by the content of its chain.
  const key = seen.length === 0 ? chainKey(file, text, root) : null;
  const cached = key ? readCache(key) : null;
  if (cached) return cached;
  const resolved = parseConf(file, text, root, seen);
  if (key) writeCache(key, resolved);
  return resolved;
}

// yaml is loaded only on a cache miss: importing it costs more than the rest of a one-shot run.
const requireLazily = createRequire(import.meta.url);

function parseConf(file: string, text: string, root: string, seen: string[]): ResolvedConf {
  const { LineCounter, parseDocument } = requireLazily("yaml") as typeof import("yaml");
  const AggregateConfSchema = defineAggregateConfSchema((requireLazily("zod") as typeof import("zod")).z);
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  const error = document.errors[0];
  if (error)
    throw new InputError(`malformed YAML: ${error.message.split("\n")[0]}`, {
      code: "E_CONF",
      file,
      line: lineCounter.linePos(error.pos[0]).line,
    });
  const raw = document.toJS() as unknown;
  if (
    !raw ||
    typeof raw !== "object" ||
    (raw as { kind?: unknown }).kind !== CONF_KIND ||
    (raw as { version?: unknown }).version !== CONF_VERSION
  ) {
    throw new InputError(`expected kind: ${CONF_KIND} and version: ${CONF_VERSION}`, { code: "E_CONF", file, line: 1 });
  }
  const parsed = AggregateConfSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const line = nearestNodeOffset(document, (issue?.path ?? []) as Array<string | number>);
    throw new InputError(`invalid aggregation table: ${formatIssues(parsed.error.issues).slice(0, 3).join("; ")}`, {
      code: "E_CONF",
      file,
      line: line === undefined ? undefined : lineCounter.linePos(line).line,
      field: issue?.path.join("."),
    });
  }
  const conf = parsed.data;
  const base = conf.extends ? readAggregateConf(conf.extends, root, [...seen, file]) : null;
  const columnNodes = document.get("columns", true) as { items?: Array<{ range?: number[] }> } | undefined;
  const whiteLists = { ...(base?.whiteLists ?? {}), ...conf.whiteLists };
  const columns = conf.columns.map((column, index) =>
    resolveColumn(column, whiteLists, { file, line: lineCounter.linePos(columnNodes?.items?.[index]?.range?.[0] ?? 0).line }),
  );
  const all = [...(base?.columns ?? []), ...columns];
  const duplicate = all.find((column, index) => all.findIndex((c) => c.name === column.name) !== index);
  if (duplicate)
    throw new InputError(`column "${duplicate.name}" is declared twice`, {
      code: "E_CONF",
      file: duplicate.at.file,
      line: duplicate.at.line,
      field: "name",
    });
  return { name: conf.name, files: [...(base?.files ?? []), file], whiteLists, columns: all };
}

/** Names of the tables available under root and embedded. */
export function listConfs(root: string): string[] {
  const names = new Set<string>();
  for (const dir of [embeddedConfDir, join(root, "conf/aggregate")]) {
    if (existsSync(dir)) for (const file of readdirSync(dir)) if (file.endsWith(".yaml")) names.add(file.slice(0, -5));
  }
  return [...names].sort();
}

// --- internal ---

const CACHE_FORMAT = "sweval-aggregate-conf-cache-1";

/** sha256 over the files of an `extends` chain (found without parsing YAML) and this package's cache format. */
function chainKey(file: string, text: string, root: string): string | null {
  const hash = createHash("sha256").update(CACHE_FORMAT);
  let current = { file, text };
  for (let depth = 0; depth < 16; depth++) {
    hash.update(current.file).update("\0").update(current.text);
    const parent = /^extends:\s*["']?([^"'\s#]+)/m.exec(current.text)?.[1];
    if (!parent) return hash.digest("hex");
    try {
      const parentFile = locateConf(parent, root);
      current = { file: parentFile, text: readFileSync(parentFile, "utf8") };
    } catch {
      return null;
    }
  }
  return null;
}

function cacheDir(): string | null {
  const configured = process.env.SWEVAL_CACHE_DIR;
  if (configured === "") return null;
  return join(configured ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "sweval"), "aggregate-conf");
}

function readCache(key: string | null): ResolvedConf | null {
  const dir = cacheDir();
  if (!key || !dir) return null;
  try {
    return JSON.parse(readFileSync(join(dir, `${key}.json`), "utf8")) as ResolvedConf;
  } catch {
    return null;
  }
}

function writeCache(key: string | null, conf: ResolvedConf): void {
  const dir = cacheDir();
  if (!key || !dir) return;
  try {
    mkdirSync(dir, { recursive: true });
    const temporary = join(dir, `.${key}.${process.pid}.tmp`);
    writeFileSync(temporary, JSON.stringify(conf));
    renameSync(temporary, join(dir, `${key}.json`));
  } catch {
    // A cache that cannot be written only costs time.
  }
}

/** The source offset of the node at path, or of its nearest existing parent (a missing key has no node). */
function nearestNodeOffset(document: Document, path: Array<string | number>): number | undefined {
  for (let length = path.length; length > 0; length--) {
    const node = document.getIn(path.slice(0, length), true) as { range?: number[] } | undefined;
    if (node?.range) return node.range[0];
  }
  return undefined;
}

function locateConf(nameOrPath: string, root: string): string {
  if (nameOrPath.endsWith(".yaml") || nameOrPath.includes("/")) {
    const file = isAbsolute(nameOrPath) ? nameOrPath : resolve(root, nameOrPath);
    if (!existsSync(file)) throw new InputError("aggregation table not found", { code: "E_CONF", file });
    return file;
  }
  for (const dir of [join(root, "conf/aggregate"), embeddedConfDir]) {
    const file = join(dir, `${nameOrPath}.yaml`);
    if (existsSync(file)) return file;
  }
  throw new InputError(`unknown aggregation table "${nameOrPath}"${didYouMean(nameOrPath, listConfs(root))}`, {
    code: "E_CONF",
    field: "--conf",
  });
}

function resolveColumn(column: ConfColumn, whiteLists: Record<string, string[]>, at: { file: string; line: number }): ResolvedColumn {
  const list = (value: string | string[] | undefined) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
  const resolved: ResolvedColumn = {
    name: column.name,
    fn: column.fn,
    metrics: list(column.metric),
    tasks: list(column.task).flatMap((task) => task.split(",")),
    whiteList: [],
    group: column.group ?? column.name.split("_")[0] ?? column.name,
    at,
  };
  if (!(AGGREGATE_FUNCTIONS as readonly string[]).includes(column.fn)) {
    resolved.problem = `unknown function "${column.fn}"${didYouMean(column.fn, AGGREGATE_FUNCTIONS)}`;
  }
  if (typeof column.whiteList === "string") {
    const named = whiteLists[column.whiteList];
    if (named) resolved.whiteList = named;
    else resolved.problem ??= `unknown white list "${column.whiteList}"${didYouMean(column.whiteList, Object.keys(whiteLists))}`;
  } else if (Array.isArray(column.whiteList)) {
    resolved.whiteList = column.whiteList;
  }
  return resolved;
}
