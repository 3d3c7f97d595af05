import { parseWalltime } from "@sweval/clusters";
import { InputError, readTextInput } from "@sweval/core";
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

export interface CsvRecord {
  fields: string[];
  line: number;
}

/** csv-parse with the legacy tolerances: CR, spaces and tabs trimmed, ragged rows allowed. */
export function parseCsvRecords(text: string, file: string): CsvRecord[] {
  try {
    const parsed = parse(text.replace(/^\uFEFF/, "").replaceAll("\r", ""), {
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
    return parsed.map(({ record, info }) => ({ fields: record.map((f) => f.replace(/^[\s\t]+|[\s\t]+$/g, "")), line: info.lines }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const line = (error as { lines?: number }).lines;
    throw new InputError(`malformed CSV: ${message.replace(/^Invalid \w+: /, "")}`, { code: "E_CSV", file, line, cause: error });
  }
}

function trimTrailingEmpty(fields: string[]): string[] {
  const copy = [...fields];
  while (copy.length > 0 && copy[copy.length - 1] === "") copy.pop();
  return copy;
}
