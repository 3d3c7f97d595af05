import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { InputError, parseJsonText } from "@sweval/core";
import { parse } from "csv-parse/sync";
import type { ResolvedConf } from "./conf.js";
import { PyInt, parsePythonJson, pythonStr } from "./python-json.js";

/** One model (+ custom settings) across the conf's columns; cells are Python-formatted strings, or null. */
export interface TableRow {
  model: string;
  customSettings: string;
  source: string;
  cells: Array<string | null>;
}

export interface Table {
  columns: string[];
  rows: TableRow[];
}

export type TableFormat = "tsv" | "csv" | "md" | "json";

/** Finds aggregated_results.json files: the paths themselves, or anywhere under a directory, sorted. */
export function findAggregatedFiles(paths: string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name === "aggregated_results.json") found.push(path);
    }
  };
  for (const path of paths) {
    if (!existsSync(path)) throw new InputError("no such file or directory", { code: "E_INPUT_FILE", file: path });
    if (statSync(path).isDirectory()) walk(path);
    else found.push(path);
  }
  return found;
}

/** Builds the multi-model table: one row per file, the conf's columns in order; -1 and absent values are null. */
export function buildTable(files: string[], conf: ResolvedConf): Table {
  const columns = conf.columns.map((column) => column.name);
  const rows = files.map((file) => {
    let document: { model?: unknown; results?: unknown; custom_settings?: { name?: unknown } };
    try {
      document = parsePythonJson(readFileSync(file, "utf8")) as typeof document;
    } catch (error) {
      throw new InputError(`unreadable aggregated_results.json: ${(error as Error).message}`, { code: "E_JSON", file });
    }
    if (typeof document.model !== "string" || typeof document.results !== "object" || document.results === null) {
      throw new InputError("not an aggregated_results.json (needs model and results)", { code: "E_SCHEMA", file });
    }
    const results = document.results as Record<string, unknown>;
    return {
      model: document.model,
      customSettings: typeof document.custom_settings?.name === "string" ? document.custom_settings.name : "",
      source: file,
      cells: columns.map((name) => {
        const value = results[name];
        if (!(value instanceof PyInt) && typeof value !== "number") return null;
        return Number(value) === -1 ? null : pythonStr(value);
      }),
    };
  });
  return { columns, rows };
}

export interface RenderTableOptions {
  format: TableFormat;
  /** How a missing value is shown. @default "blank" */
  missing?: "blank" | "-1";
  /** A previous table (as written by renderTable) to compare with: changed cells are marked. */
  previous?: Table | null;
}

/** Renders the table for a spreadsheet (TSV), CSV, Markdown or JSON. */
export function renderTable(table: Table, options: RenderTableOptions): string {
  const missing = options.missing === "-1" ? "-1" : "";
  const previous = options.previous ? indexRows(options.previous) : null;
  const cell = (row: TableRow, index: number) => {
    const value = row.cells[index] ?? null;
    const text = value ?? missing;
    if (!previous) return text;
    const old = previous.get(rowKey(row));
    if (!old) return text;
    const oldIndex = old.table.columns.indexOf(table.columns[index] as string);
    const oldValue = oldIndex < 0 ? null : (old.row.cells[oldIndex] ?? null);
    if (oldValue === value) return text;
    return options.format === "md" ? `**${text || "—"}** (was ${oldValue ?? "—"})` : `${text} (was ${oldValue ?? missing})`;
  };
  const label = (row: TableRow) => {
    const isNew = previous && !previous.has(rowKey(row));
    return `${isNew ? "+ " : ""}${row.model}`;
  };
  if (options.format === "json") {
    return `${JSON.stringify(
      {
        kind: "sweval/table",
        version: 1,
        columns: table.columns,
        rows: table.rows.map((row) => ({
          model: row.model,
          customSettings: row.customSettings,
          source: row.source,
          cells: row.cells.map((value, i) => (previous ? { value, display: cell(row, i) } : value)),
        })),
      },
      null,
      2,
    )}\n`;
  }
  const header = ["model", "custom_settings", ...table.columns];
  const lines = table.rows.map((row) => [label(row), row.customSettings, ...table.columns.map((_, i) => cell(row, i))]);
  if (options.format === "md") {
    const escapeCell = (text: string) => text.replaceAll("|", "\\|");
    return `${[`| ${header.map(escapeCell).join(" | ")} |`, `|${header.map((_, i) => (i < 2 ? "---" : "---:")).join("|")}|`, ...lines.map((l) => `| ${l.map(escapeCell).join(" | ")} |`)].join("\n")}\n`;
  }
  const separator = options.format === "csv" ? "," : "\t";
  const quote = (text: string) =>
    options.format === "csv" && /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text.replaceAll("\t", " ");
  return `${[header, ...lines].map((line) => line.map(quote).join(separator)).join("\n")}\n`;
}

/** Reads a table written earlier by renderTable (TSV, CSV or JSON), for --diff. */
export function parseTable(text: string, file: string): Table {
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  if (trimmed.startsWith("{")) return tableFromJson(parseJsonText(trimmed, file), file);
  const [header = [], ...lines] = readDelimited(trimmed, file);
  if (header[0] !== "model" || header[1] !== "custom_settings") {
    throw new InputError('expected a table written by `sweval-aggregate table` (first columns "model", "custom_settings")', {
      code: "E_TABLE",
      file,
      line: 1,
    });
  }
  return {
    columns: header.slice(2),
    rows: lines.map((fields) => ({
      model: (fields[0] ?? "").replace(/^\+ /, ""),
      customSettings: fields[1] ?? "",
      source: file,
      cells: fields.slice(2).map((f) => (f === "" || f === "-1" ? null : f.replace(/ \(was .*\)$/, ""))),
    })),
  };
}

function rowKey(row: Pick<TableRow, "model" | "customSettings">): string {
  return `${row.model}\u0000${row.customSettings}`;
}

function indexRows(table: Table) {
  return new Map(table.rows.map((row) => [rowKey(row), { row, table }]));
}

/** The JSON table (`table --json`), held to the shape --diff reads. */
function tableFromJson(document: unknown, file: string): Table {
  const json = document as { columns?: unknown; rows?: unknown };
  if (!Array.isArray(json.columns) || !Array.isArray(json.rows))
    throw new InputError("expected a table written by `sweval-aggregate table --json` (columns and rows)", { code: "E_TABLE", file });
  const rows = json.rows as Array<{ model: string; customSettings: string; cells: Array<string | null> }>;
  return { columns: json.columns as string[], rows: rows.map((row) => ({ ...row, source: file })) };
}

/**
 * The CSV (RFC 4180 quoting, as renderTable writes it) or TSV (no quoting: renderTable turns tabs in cells to
 * spaces) rows of an earlier table, read by csv-parse; a malformed one is an InputError naming its line.
 */
function readDelimited(text: string, file: string): string[][] {
  const tsv = text.split("\n", 1)[0]?.includes("\t") ?? false;
  try {
    return parse(text, {
      delimiter: tsv ? "\t" : ",",
      quote: tsv ? false : '"',
      relax_column_count: true,
      skip_empty_lines: true,
    }) as string[][];
  } catch (error) {
    const words = (error instanceof Error ? error.message : String(error)).replace(/^Invalid \w+: /, "").replace(/ at line \d+$/, "");
    throw new InputError(`malformed ${tsv ? "TSV" : "CSV"} table: ${words}`, {
      code: "E_TABLE",
      file,
      line: (error as { lines?: number }).lines,
      cause: error,
    });
  }
}
