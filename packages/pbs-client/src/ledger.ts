import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { formatIssues, WorkError } from "@sweval/core";
import { type LedgerEntry, LedgerEntrySchema, LedgerEntryV1Schema, upgradeLedgerEntry } from "./schema.js";

export interface ReadLedgerResult {
  entries: LedgerEntry[];
  warnings: string[];
}

/**
 * Reads the ledger. A torn last line (a crash mid-write) is ignored with a warning; a bad line elsewhere is
 * skipped with a warning too, since the ledger is never rewritten in place.
 */
export function readLedger(file: string): ReadLedgerResult {
  if (!existsSync(file)) return { entries: [], warnings: [] };
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  const entries: LedgerEntry[] = [];
  const warnings: string[] = [];
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    try {
      entries.push(parseLedgerLine(line));
    } catch (error) {
      const last = index === lines.length - 1 || (index === lines.length - 2 && lines.at(-1) === "");
      warnings.push(
        `${file}:${index + 1}: ${last ? "torn last line (a write was interrupted); ignored" : `unreadable line skipped (${(error as Error).message})`}`,
      );
    }
  }
  return { entries, warnings };
}

/** One line, version 2 or (upgraded) version 1, held to its schema. */
export function parseLedgerLine(line: string): LedgerEntry {
  const value: unknown = JSON.parse(line);
  const version = (value as { version?: unknown } | null)?.version;
  const parsed = version === 1 ? LedgerEntryV1Schema.safeParse(value) : LedgerEntrySchema.safeParse(value);
  if (!parsed.success) throw new Error(formatIssues(parsed.error.issues).slice(0, 3).join("; "));
  return "job" in parsed.data ? parsed.data : upgradeLedgerEntry(parsed.data);
}

/**
 * Appends entries with one O_APPEND write, so concurrent writers never interleave within a line. A torn last
 * line left by a crash is closed off first, so the new entry starts on a line of its own.
 */
export function appendLedger(file: string, entries: LedgerEntry[]): void {
  if (entries.length === 0) return;
  mkdirSync(dirname(file), { recursive: true });
  let prefix = "";
  if (existsSync(file) && statSync(file).size > 0) {
    const fd = openSync(file, "r");
    try {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, statSync(file).size - 1);
      if (last.toString() !== "\n") prefix = "\n";
    } finally {
      closeSync(fd);
    }
  }
  const fd = openSync(file, "a");
  try {
    writeSync(fd, prefix + entries.map((entry) => `${JSON.stringify(entry)}\n`).join(""));
  } finally {
    closeSync(fd);
  }
}

/**
 * Runs fn while holding `<ledger>.lock` (an atomic mkdir), so two people submitting the same plan at once
 * do not both submit. A lock older than staleMs is taken over (its owner died).
 */
export async function withLedgerLock<T>(
  file: string,
  fn: () => Promise<T>,
  options: { timeoutMs?: number; staleMs?: number } = {},
): Promise<T> {
  const lock = `${file}.lock`;
  mkdirSync(dirname(file), { recursive: true });
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const mtime = statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
      if (mtime !== undefined && Date.now() - mtime > (options.staleMs ?? 600_000)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new WorkError(`another sweval-pbs holds ${lock}`, {
          code: "E_LOCKED",
          hint: "wait for it, or remove the lock if no sweval-pbs is running",
        });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
