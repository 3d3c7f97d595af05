import { type Io, renderJson } from "@sweval/core";
import type { JobsManifest } from "@sweval/job-renderer/schema";
import { ACTIVE_STATES, buildBoard, type CellKey, renderBoard } from "../board.js";
import { execReal } from "../exec.js";
import { appendLedger, readLedger } from "../ledger.js";
import type { SettledEntry, StatusBoard } from "../schema.js";
import { type CommonFlags, ledgerFor, localStateFor, logTo } from "./common.js";
import { readManifest } from "./read-manifest.js";

export interface StatusFlags extends CommonFlags {
  manifest?: string;
  json?: boolean;
  watch?: number;
}

/** `sweval-pbs status`: the board once, or with --watch refreshed on stderr until nothing is queued or running. */
export async function statusCommand(flags: StatusFlags, io: Io): Promise<void> {
  const expected = flags.manifest ? expectedCells(await readManifest(flags.manifest, io)) : [];
  const show = (board: StatusBoard) => (flags.json ? renderJson(board) : renderBoard(board));
  for (;;) {
    const board = await readBoard(flags, io, expected);
    if (!flags.watch || !board.cells.some((cell) => ACTIVE_STATES.has(cell.state))) {
      io.stdout.write(show(board));
      return;
    }
    io.stderr.write(renderBoard(board));
    await new Promise((r) => setTimeout(r, (flags.watch ?? 5) * 1000));
  }
}

async function readBoard(flags: StatusFlags, io: Io, expected: CellKey[]): Promise<StatusBoard> {
  const ledger = ledgerFor(flags, io);
  const { entries, warnings } = readLedger(ledger);
  for (const warning of warnings) logTo(io)(`warning: ${warning}`);
  return buildBoard({ entries, exec: execReal, localStateDir: localStateFor(flags, io), expected, settle: keepSettled(ledger, io) });
}

/** Final states go into the ledger, so the next board asks the scheduler nothing about them; a ledger that cannot be written only warns. */
function keepSettled(ledger: string, io: Io) {
  return (entries: SettledEntry[]) => {
    try {
      appendLedger(ledger, entries);
    } catch (error) {
      logTo(io)(`warning: ${(error as Error).message}`);
    }
  };
}

/** The cells a manifest promises, so tasks never submitted show as such. */
function expectedCells(manifest: JobsManifest): CellKey[] {
  return manifest.jobs.flatMap((job) => job.tasks.map((task) => ({ model: job.model, customSettings: job.customSettings, task })));
}
