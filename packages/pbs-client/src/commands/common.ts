import { resolve } from "node:path";
import type { Io } from "@sweval/core";
import { localStateDir } from "../adapters/local.js";
import { execReal } from "../exec.js";
import type { ManageOptions } from "../manage.js";
import { ledgerPath } from "../submit.js";

/** Flags every command takes. */
export interface CommonFlags {
  ledger?: string;
  localState?: string;
}

/** The ledger a command that has no manifest reads: --ledger, $SWEVAL_LEDGER, else <REPO_PATH or cwd>/results/.sweval/ledger.jsonl. */
export function ledgerFor(flags: CommonFlags, io: Io): string {
  return ledgerPath(flags.ledger ? resolve(io.cwd, flags.ledger) : null, null, io.env, io.cwd);
}

export function localStateFor(flags: CommonFlags, io: Io): string {
  return flags.localState ? resolve(io.cwd, flags.localState) : localStateDir(io.env);
}

export function logTo(io: Io): (message: string) => void {
  return (message) => io.stderr.write(`sweval-pbs: ${message}\n`);
}

export function manageOptions(flags: CommonFlags, io: Io): ManageOptions {
  return { ledger: ledgerFor(flags, io), exec: execReal, localStateDir: localStateFor(flags, io), env: io.env, log: logTo(io) };
}
