import type { z } from "zod";
import { InputError } from "./errors.js";

/** Flattens zod issues into `path: message` lines. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return path ? `${path}: ${issue.message}` : issue.message;
  });
}

/**
 * Validates a versioned document (`{ kind, version, … }`) read from `source`, refusing other kinds and
 * versions with "expected 1, received 2" before looking at anything else.
 */
export function parseDocument<T extends z.ZodType>(
  schema: T,
  value: unknown,
  expected: { kind: string; version: number },
  source: string,
  /** What to do about another version, e.g. "re-render the jobs with this sweval". */
  versionHint?: string,
): z.infer<T> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InputError(`expected a ${expected.kind} document (a JSON object)`, { code: "E_SCHEMA", file: source });
  }
  const record = value as Record<string, unknown>;
  if (record.kind !== expected.kind) {
    throw new InputError(`expected kind "${expected.kind}", received ${JSON.stringify(record.kind)}`, {
      code: "E_SCHEMA",
      file: source,
      field: "kind",
    });
  }
  if (record.version !== expected.version) {
    throw new InputError(`${expected.kind}: expected version ${expected.version}, received ${JSON.stringify(record.version)}`, {
      code: "E_VERSION",
      file: source,
      field: "version",
      hint: versionHint,
    });
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const lines = formatIssues(result.error.issues);
    const first = result.error.issues[0];
    throw new InputError(`${expected.kind} does not match its schema: ${lines.join("; ")}`, {
      code: "E_SCHEMA",
      file: source,
      field: first?.path.map(String).join("."),
    });
  }
  return result.data;
}

/** Parses JSON text, turning a syntax error into an InputError with the line it happened on. */
export function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const line = position ? text.slice(0, Number(position[1])).split("\n").length : undefined;
    throw new InputError(`malformed JSON: ${message}`, { code: "E_JSON", file: source, line, cause: error });
  }
}

/**
 * Reads one or several JSON documents: a single (possibly pretty-printed) JSON value, or JSON Lines.
 * Returns an empty list for blank input.
 */
export function parseJsonStream(text: string, source: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  try {
    const single = JSON.parse(trimmed);
    return Array.isArray(single) ? single : [single];
  } catch {
    // Not one document: fall through to JSON Lines.
  }
  const documents: unknown[] = [];
  const lines = text.split("\n");
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    try {
      documents.push(JSON.parse(line));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new InputError(`malformed JSON Lines: ${message}`, { code: "E_JSON", file: source, line: index + 1, cause: error });
    }
  }
  return documents;
}
