import { userInfo } from "node:os";
import { InputError } from "@sweval/core";

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The signal that ended the program, when one did: its work may or may not have happened. */
  signal?: string | null;
}

/** Runs a program without a shell; injectable so unit tests can feed recorded scheduler output. */
export type Exec = (argv: string[], options?: { env?: NodeJS.ProcessEnv; input?: string }) => Promise<ExecResult>;

/** The real runner (execa). A program missing from PATH is an InputError naming it. */
export const execReal: Exec = async (argv, options = {}) => {
  const { execa } = await import("execa");
  const [file, ...args] = argv;
  if (!file) throw new Error("empty argv");
  const result = await execa(file, args, {
    reject: false,
    env: options.env,
    input: options.input,
    stripFinalNewline: false,
    timeout: 300_000,
  });
  if (
    (result as { code?: string }).code === "ENOENT" ||
    (result.failed && result.exitCode === undefined && /ENOENT/.test(String(result.message)))
  ) {
    throw new InputError(`${file} is not on PATH`, {
      code: "E_NO_SCHEDULER",
      hint: `run sweval-pbs where the scheduler's commands are installed, or fix PATH`,
    });
  }
  return {
    exitCode: result.exitCode ?? 1,
    stdout: String(result.stdout ?? ""),
    stderr: String(result.stderr ?? ""),
    signal: result.signal ?? null,
  };
};

/** The last lines a command said (stderr, else stdout), on one line: what an error message quotes. */
export function lastLines(result: ExecResult): string {
  return (result.stderr.trim() || result.stdout.trim()).split("\n").slice(-3).join(" ");
}

/** Who runs sweval-pbs: recorded in the ledger, and the owner asked about in bulk accounting. */
export function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER || "unknown";
  }
}
