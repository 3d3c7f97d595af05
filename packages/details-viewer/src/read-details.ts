import { InputError } from "@sweval/core/errors";
import { type AsyncBuffer, type FileMetaData, parquetMetadataAsync } from "hyparquet";
import { GroupReader, readGroupRows, type ScanBuffers } from "./page-reader.js";

export { plain } from "./plain.js";

export type Layout = "new" | "swallow" | "flat" | "str" | "unknown";

/** An open details file: its metadata, columns and layout, ready for page reads. */
export interface DetailsFile {
  path: string;
  file: AsyncBuffer;
  metadata: FileMetaData;
  numRows: number;
  columns: string[];
  layout: Layout;
}

/**
 * Opens details from any AsyncBuffer — an ArrayBuffer, or hyparquet's `asyncBufferFromUrl` in a browser — so the
 * reader works where there is no file system. `name` is only used in messages.
 */
export async function openDetailsBuffer(file: AsyncBuffer, name: string): Promise<DetailsFile> {
  const path = name;
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    const reason = (error as Error).message;
    const hint = /magic|PAR1/i.test(reason)
      ? "not a parquet file (or truncated: the footer is missing)"
      : `unreadable parquet footer (${reason})`;
    throw new InputError(hint, { code: "E_PARQUET", file: path, cause: error });
  }
  const details: DetailsFile = {
    path,
    file,
    metadata,
    numRows: Number(metadata.num_rows),
    columns: topLevelColumns(metadata),
    layout: "unknown",
  };
  details.layout = detectLayout(details);
  return details;
}

/** Rows [start, end) as plain JS values (bigint as number where safe); `columns` limits what is decoded. */
export async function readRows(
  details: DetailsFile,
  options: { start?: number; end?: number; columns?: string[] } = {},
): Promise<Record<string, unknown>[]> {
  const start = Math.max(0, options.start ?? 0);
  const end = Math.min(details.numRows, options.end ?? details.numRows);
  const rows: Record<string, unknown>[] = [];
  for (const group of groupsOverlapping(details, start, end)) {
    const batch = await readGroup(
      details,
      group.index,
      Math.max(start, group.start) - group.start,
      Math.min(end, group.end) - group.start,
      options.columns,
    );
    for (const row of batch) rows.push(row);
  }
  return rows;
}

/**
 * Every row in order, at most `batch` rows at a time (default 256; a batch stays inside one row group), each page decoded
 * once: the way to walk a whole file (reading it with `readRows` in slices would decode a row group's pages
 * once per slice).
 */
export async function* scanRows(
  details: DetailsFile,
  options: { batch?: number; columns?: string[] } = {},
): AsyncGenerator<Record<string, unknown>[]> {
  const batch = Math.max(1, options.batch ?? 256);
  const buffers: ScanBuffers = new Map();
  for (const group of groupsOverlapping(details, 0, details.numRows)) {
    const reader = new GroupReader(details.file, details.metadata, group.index, options.columns, buffers);
    const rows = group.end - group.start;
    for (let from = 0; from < rows; from += batch) {
      const to = Math.min(rows, from + batch);
      yield await guarded(details, group.index, () => reader.read(from, to));
    }
  }
}

/** The row groups that hold rows [start, end): index and [start, end) rows in the file. */
export function groupsOverlapping(details: DetailsFile, start: number, end: number): Array<{ index: number; start: number; end: number }> {
  const groups: Array<{ index: number; start: number; end: number }> = [];
  let position = 0;
  details.metadata.row_groups.forEach((group, index) => {
    const rows = Number(group.num_rows);
    if (position < end && position + rows > start) groups.push({ index, start: position, end: position + rows });
    position += rows;
  });
  return groups;
}

/**
 * A forward reader over one row group: `read(from, to)` with row indexes inside the group, each call starting at
 * or after where the last one ended; bad data surfaces as an InputError naming the file.
 */
export function openGroup(details: DetailsFile, group: number): { read(from: number, to: number): Promise<Record<string, unknown>[]> } {
  const reader = new GroupReader(details.file, details.metadata, group, undefined, null);
  return { read: (from, to) => guarded(details, group, () => reader.read(from, to)) };
}

async function readGroup(
  details: DetailsFile,
  group: number,
  from: number,
  to: number,
  columns?: string[],
): Promise<Record<string, unknown>[]> {
  if (to <= from) return [];
  return guarded(details, group, () => readGroupRows(details.file, details.metadata, group, from, to, columns));
}

async function guarded<T>(details: DetailsFile, group: number, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new InputError(`cannot read row group ${group} (${(error as Error).message}); the file may be truncated`, {
      code: "E_PARQUET",
      file: details.path,
      cause: error,
    });
  }
}

// --- internal ---

function topLevelColumns(metadata: FileMetaData): string[] {
  const names: string[] = [];
  const root = metadata.schema[0];
  let index = 1;
  for (let child = 0; child < (root?.num_children ?? 0); child++) {
    const element = metadata.schema[index];
    if (!element) break;
    names.push(element.name);
    index = skip(metadata, index);
  }
  return names;
}

function skip(metadata: FileMetaData, index: number): number {
  const element = metadata.schema[index];
  let next = index + 1;
  for (let child = 0; child < (element?.num_children ?? 0); child++) next = skip(metadata, next);
  return next;
}

/**
 * ≥ 0.11 has doc/model_response/metric; ≤ 0.7 stores strings everywhere; the Swallow fork's prompts are chat
 * messages (a list of structs with a `role`). Decided from the schema alone: reading data to decide would
 * decode a whole column chunk of a file without a page index.
 */
function detectLayout(details: DetailsFile): Layout {
  const has = (names: string[]) => names.every((name) => details.columns.includes(name));
  if (has(["doc", "model_response"])) return "new";
  if (!has(["example", "predictions"])) return "unknown";
  const schema = details.metadata.schema;
  const top = (name: string) => schema.findIndex((element) => element.name === name);
  const leafOnly = (name: string) => {
    const element = schema[top(name)];
    return element !== undefined && !element.num_children && element.type === "BYTE_ARRAY";
  };
  if (leafOnly("metrics") && leafOnly("predictions")) return "str";
  const prompt = top("full_prompt");
  if (prompt < 0) return "flat";
  const end = skip(details.metadata, prompt);
  return schema.slice(prompt + 1, end).some((element) => element.name === "role") ? "swallow" : "flat";
}
