import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { formatIssues, InputError, readFailure, WorkError, writeFailure } from "@sweval/core";
import { isAlive } from "./adapters/local.js";
import { type LedgerEntry, LedgerEntrySchema, LedgerEntryV1Schema, type SubmittedEntry, upgradeLedgerEntry } from "./schema.js";

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
  let text: string;
  try {
    // A device or a directory is not a ledger (reading /dev/zero would never end).
    if (!statSync(file).isFile())
      throw Object.assign(new Error("not a file"), { code: statSync(file).isDirectory() ? "EISDIR" : "ENOTFILE" });
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new InputError(`the ledger ${readFailure(error)}`, {
      code: "E_LEDGER",
      file,
      hint: "point --ledger (or SWEVAL_LEDGER) at a JSON Lines file",
      cause: error,
    });
  }
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
  if ((value as { version?: unknown } | null)?.version === 1) {
    const v1 = LedgerEntryV1Schema.safeParse(value);
    if (!v1.success) throw new Error(formatIssues(v1.error.issues).slice(0, 3).join("; "));
    return upgradeLedgerEntry(v1.data);
  }
  const parsed = LedgerEntrySchema.safeParse(value);
  if (!parsed.success) throw new Error(formatIssues(parsed.error.issues).slice(0, 3).join("; "));
  return parsed.data;
}

/** The submissions of a ledger (what the scheduler accepted), oldest first. */
export function submissions(entries: LedgerEntry[]): SubmittedEntry[] {
  return entries.filter((entry): entry is SubmittedEntry => entry.event === "submitted");
}

/**
 * Appends entries with one O_APPEND write, so concurrent writers never interleave within a line. A torn last
 * line left by a crash is closed off first, so the new entry starts on a line of its own.
 */
export function appendLedger(file: string, entries: LedgerEntry[]): void {
  if (entries.length === 0) return;
  try {
    writeEntries(file, entries);
  } catch (error) {
    // A full disk (ENOSPC), a quota (EDQUOT), a read-only mount: the work failed, and it says where and why.
    throw new WorkError(`cannot record in the ledger: ${writeFailure(error)}`, { code: "E_LEDGER_WRITE", file, cause: error });
  }
}

function writeEntries(file: string, entries: LedgerEntry[]): void {
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
    const bytes = Buffer.from(prefix + entries.map((entry) => `${JSON.stringify(entry)}\n`).join(""));
    const written = writeSync(fd, bytes);
    if (written < bytes.length) throw Object.assign(new Error("short write"), { code: "ENOSPC" });
  } finally {
    closeSync(fd);
  }
}

/** Who holds a ledger lock: written inside the lock directory, so a dead holder on this host is seen at once. */
interface LockOwner {
  pid: number;
  host: string;
  at: string;
}

/**
 * Runs fn while holding `<ledger>.lock` (an atomic mkdir), so two people submitting the same plan at once do
 * not both submit. The holder keeps the lock fresh (its mtime, every few seconds) and gives it up on SIGINT,
 * SIGTERM and SIGHUP; a lock whose holder on this host is dead (SIGKILL) is taken over at once, and one that
 * nobody kept fresh for staleMs (a holder on another host that died) after that.
 */
export async function withLedgerLock<T>(
  file: string,
  fn: () => Promise<T>,
  options: { timeoutMs?: number; staleMs?: number; refreshMs?: number } = {},
): Promise<T> {
  const lock = `${file}.lock`;
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (error) {
    throw new WorkError(`cannot create the ledger's directory: ${readFailure(error)}`, { code: "E_LEDGER", file: dirname(file) });
  }
  await acquireLock(lock, options.timeoutMs ?? 120_000, options.staleMs ?? 60_000);
  const release = () => rmSync(lock, { recursive: true, force: true });
  const refresh = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(lock, now, now);
    } catch {
      // Taken over or removed: fn finds out when it appends.
    }
  }, options.refreshMs ?? 5_000);
  refresh.unref();
  const onSignal = (signal: NodeJS.Signals) => {
    release();
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  };
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const signal of signals) process.on(signal, onSignal);
  try {
    return await fn();
  } finally {
    clearInterval(refresh);
    for (const signal of signals) process.removeListener(signal, onSignal);
    release();
  }
}

async function acquireLock(lock: string, timeoutMs: number, staleMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST")
        throw new WorkError(`cannot take the ledger lock: ${writeFailure(error)}`, { code: "E_LEDGER_WRITE", file: lock });
      if (abandoned(lock, staleMs)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new WorkError(`another sweval-pbs holds ${lock}${describeOwner(lock)}`, {
          code: "E_LOCKED",
          hint: "wait for it, or remove the lock if no sweval-pbs is running",
        });
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    try {
      const owner: LockOwner = { pid: process.pid, host: hostname(), at: new Date().toISOString() };
      writeFileSync(join(lock, "owner.json"), JSON.stringify(owner));
      return;
    } catch (error) {
      // A lock without its owner would look abandoned to nobody: take it back down.
      rmSync(lock, { recursive: true, force: true });
      throw new WorkError(`cannot take the ledger lock: ${writeFailure(error)}`, { code: "E_LEDGER_WRITE", file: lock });
    }
  }
}

/** A lock whose holder is a dead process of this host, or that nobody kept fresh. */
function abandoned(lock: string, staleMs: number): boolean {
  const owner = readOwner(lock);
  if (owner && owner.host === hostname() && !isAlive(owner.pid)) return true;
  const mtime = statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
  return mtime !== undefined && Date.now() - mtime > staleMs;
}

function readOwner(lock: string): LockOwner | null {
  try {
    return JSON.parse(readFileSync(join(lock, "owner.json"), "utf8")) as LockOwner;
  } catch {
    return null;
  }
}

function describeOwner(lock: string): string {
  const owner = readOwner(lock);
  return owner ? ` (pid ${owner.pid} on ${owner.host} since ${owner.at})` : "";
}
