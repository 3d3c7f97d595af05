import { parseWalltime } from "@sweval/clusters";
import { commentText, InputError, readTextInput, SAFE_NAME, TASK_KEY } from "@sweval/core";
import { parse } from "csv-parse/sync";

export const TASKS_RUNTIME_COLUMNS = ["key", "script", "result_dir", "framework", "hrt_q", "hrt_f", "wlt_HG", "wlt_HF"] as const;
export type WalltimeColumn = "hrt_q" | "hrt_f" | "wlt_HG" | "wlt_HF";

/** One row of tasks_runtime.csv (8 columns in V4, 6 in the older TSUBAME-only form). */
export interface TaskRuntimeRow {
  key: string;
  script: string;
  resultDir: string;
  framework: string;
  walltimes: Partial<Record<WalltimeColumn, string>>;
  line: number;
}

export interface TasksRuntime {
  file: string;
  columns: string[];
  rows: TaskRuntimeRow[];
  /** First match wins, as in the legacy awk lookups. */
  byKey: Map<string, TaskRuntimeRow>;
}

/**
 * Parses tasks_runtime.csv the way load_config.sh reads it: header skipped, spaces, tabs and CR
 * trimmed, extra trailing fields (the V4 trailing commas) ignored, first match wins.
 */
export function parseTasksRuntime(text: string, file: string): TasksRuntime {
  const records = parseCsvRecords(text, file);
  const header = records[0];
  if (!header)
    throw new InputError("empty file: expected the header key,script,result_dir,framework,hrt_q,hrt_f[,wlt_HG,wlt_HF]", {
      code: "E_CSV",
      file,
    });
  const columns = trimTrailingEmpty(header.fields);
  const expected = TASKS_RUNTIME_COLUMNS.slice(0, columns.length);
  if ((columns.length !== 6 && columns.length !== 8) || columns.some((name, i) => name !== expected[i])) {
    throw new InputError(
      `unexpected header "${columns.join(",")}": expected "${TASKS_RUNTIME_COLUMNS.slice(0, 6).join(",")}" with optional ",wlt_HG,wlt_HF"`,
      { code: "E_CSV", file, line: header.line },
    );
  }
  const rows: TaskRuntimeRow[] = [];
  const byKey = new Map<string, TaskRuntimeRow>();
  for (const record of records.slice(1)) {
    const fields = record.fields;
    if (fields.every((field) => field === "")) continue;
    if (fields.length < columns.length || fields.slice(0, columns.length).some((f) => f === "")) {
      const missing = columns.find((_, i) => !fields[i]) ?? columns[fields.length];
      throw new InputError(`row has ${fields.filter(Boolean).length} of ${columns.length} columns`, {
        code: "E_CSV",
        file,
        line: record.line,
        field: missing,
      });
    }
    const walltimes: Partial<Record<WalltimeColumn, string>> = {};
    for (const column of ["hrt_q", "hrt_f", "wlt_HG", "wlt_HF"] as const) {
      const index = columns.indexOf(column);
      if (index < 0) continue;
      const value = fields[index] ?? "";
      parseWalltime(value, { file, line: record.line, field: column });
      walltimes[column] = value;
    }
    checkRowNames(fields[0] ?? "", fields[2] ?? "", file, record.line);
    const row: TaskRuntimeRow = {
      key: fields[0] ?? "",
      script: fields[1] ?? "",
      resultDir: fields[2] ?? "",
      framework: fields[3] ?? "",
      walltimes,
      line: record.line,
    };
    rows.push(row);
    if (!byKey.has(row.key)) byKey.set(row.key, row);
  }
  return { file, columns, rows, byKey };
}

/** Reads and parses tasks_runtime.csv. */
export async function readTasksRuntime(file: string): Promise<TasksRuntime> {
  return parseTasksRuntime(await readTextInput(file, "tasks runtime CSV"), file);
}

// --- internal ---

/**
 * The key becomes a job name and a script's file name, and result_dir a path under the model's results dir,
 * so both are held to what a path segment may be: no shell syntax, no control characters, no way out of the tree.
 */
function checkRowNames(key: string, resultDir: string, file: string, line: number): void {
  if (!TASK_KEY.test(key))
    throw new InputError(`task key "${commentText(key.slice(0, 100))}" may hold only letters, digits, ".", "_", "+" and "-"`, {
      code: "E_CSV",
      file,
      line,
      field: "key",
    });
  const segments = resultDir.split("/");
  if (resultDir.startsWith("/") || segments.some((segment) => !SAFE_NAME.test(segment)))
    throw new InputError(
      `result_dir "${commentText(resultDir.slice(0, 100))}" must be a relative path of names (letters, digits, ".", "_", "-"; no "..")`,
      { code: "E_CSV", file, line, field: "result_dir" },
    );
}

export interface CsvRecord {
  fields: string[];
  line: number;
}

/** csv-parse with the legacy tolerances: CR, spaces and tabs trimmed, ragged rows allowed. */
export function parseCsvRecords(text: string, file: string): CsvRecord[] {
  refuseUnreadableBytes(text, file);
  const clean = text.replace(/^\uFEFF/, "").replaceAll("\r", "");
  try {
    const parsed = parse(clean, {
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
      raw: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number }; raw: string }>;
    // info.lines is where a record ends; a quoted field may span lines, and people look for where it starts.
    return parsed.map(({ record, info, raw }) => ({
      fields: record.map((f) => f.replace(/^[\s\t]+|[\s\t]+$/g, "")),
      line: info.lines - (raw.replace(/\n$/, "").split("\n").length - 1),
    }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: string }).code;
    const line = code === "CSV_QUOTE_NOT_CLOSED" ? unclosedQuoteLine(clean) : (error as { lines?: number }).lines;
    // csv-parse's own words name the last line for an unclosed quote: drop that part, the location says where it opens.
    const words = message.replace(/^Invalid \w+: /, "").replace(/ at line \d+$/, "");
    throw new InputError(`malformed CSV: ${words}`, { code: "E_CSV", file, line, cause: error });
  }
}

/** The line where the quote that never closes opens (csv-parse names the last line of the file). */
function unclosedQuoteLine(text: string): number | undefined {
  let line = 1;
  let openedAt: number | undefined;
  for (const char of text) {
    if (char === "\n") line++;
    else if (char === '"') openedAt = openedAt === undefined ? line : undefined;
  }
  return openedAt;
}

/** NUL bytes and bytes that are not UTF-8 (read as U+FFFD) mean a binary or mis-encoded file: say where. */
function refuseUnreadableBytes(text: string, file: string): void {
  const at = text.search(/[\u0000\uFFFD]/);
  if (at < 0) return;
  const line = text.slice(0, at).split("\n").length;
  const what = text[at] === "\u0000" ? "a NUL byte" : "bytes that are not UTF-8";
  throw new InputError(`${what} in the CSV: save it as UTF-8 text`, { code: "E_CSV", file, line });
}

function trimTrailingEmpty(fields: string[]): string[] {
  const copy = [...fields];
  while (copy.length > 0 && copy[copy.length - 1] === "") copy.pop();
  return copy;
}
