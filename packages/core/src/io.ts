import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { InputError, WorkError } from "./errors.js";

/** The process's streams and environment, injectable so tests drive CLIs in-process. */
export interface Io {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** The real process streams. */
export function processIo(): Io {
  // A reader that went away (`| head`, a failed next stage) ends this stage quietly, as Unix tools do.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(1);
    throw error;
  });
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** Reads a whole stream as UTF-8 text. */
export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Reads a text input named by the user, saying what failed and why: "not found", "is a directory", or the
 * system's code, as an InputError naming the file (exit 2).
 */
export async function readTextInput(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new InputError(`${what} ${readFailure(error)}`, { code: "E_INPUT_FILE", file, cause: error });
  }
}

/** The reason a read failed, in words. */
export function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "not found";
  if (code === "EISDIR") return "is a directory";
  if (code === "ENOTFILE") return "is not a regular file";
  return `cannot be read (${code ?? (error as Error).message})`;
}

/** Serialises a document the way every sweval tool prints it: 2-space JSON and a final newline. */
export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** One document per line, for streams of several plans. */
export function renderJsonLines(values: readonly unknown[]): string {
  return values.map((value) => `${JSON.stringify(value)}\n`).join("");
}

/**
 * Writes a file through a temporary name in the same directory and a rename, so a reader never
 * sees half a file and a crash leaves the old one in place.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode?: number): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temporary, data, mode === undefined ? undefined : { mode });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    // A full disk, a quota, a read-only mount: the work failed (exit 1), and the message says where and why.
    throw new WorkError(`cannot write: ${writeFailure(error)}`, { code: "E_WRITE", file: path, cause: error });
  }
}

/** Why a write failed, in words. */
export function writeFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOSPC") return "no space left on the device (ENOSPC)";
  if (code === "EDQUOT") return "over the disk quota (EDQUOT)";
  if (code === "EROFS") return "the file system is read-only (EROFS)";
  if (code === "EACCES" || code === "EPERM") return `permission denied (${code})`;
  if (code === "ENOTDIR" || code === "EEXIST") return `a file stands where a directory is needed (${code})`;
  return readFailure(error);
}

/** Logger for people: everything goes to stderr, stdout stays data. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

export type LogLevel = "silent" | "error" | "warn" | "info" | "debug";

const levelRank: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

/** A logger writing `tool: warning: …` lines to the given stream. */
export function createLogger(tool: string, stream: Writable, level: LogLevel = "info"): Logger {
  const rank = levelRank[level];
  const write = (at: LogLevel, prefix: string, message: string) => {
    if (levelRank[at] <= rank) stream.write(`${tool}: ${prefix}${message}\n`);
  };
  return {
    error: (message) => write("error", "error: ", message),
    warn: (message) => write("warn", "warning: ", message),
    info: (message) => write("info", "", message),
    debug: (message) => write("debug", "debug: ", message),
  };
}

/** The version in the package.json one level above a module (`dist/` or `src/`): what a tool reports as itself. */
export function readPackageVersion(moduleUrl: string): string {
  try {
    return (JSON.parse(readFileSync(new URL("../package.json", moduleUrl), "utf8")) as { version: string }).version;
  } catch {
    return "0.0.0";
  }
}
