import type { LedgerEntry } from "../schema.js";
import { gridEngine } from "./grid-engine.js";
import { localAdapter } from "./local.js";
import { pbsPro } from "./pbs-pro.js";
import { slurm } from "./slurm.js";
import type { SchedulerAdapter } from "./types.js";

/** The adapter for a scheduler kind. */
export function adapterFor(scheduler: LedgerEntry["scheduler"], localStateDir: string): SchedulerAdapter {
  switch (scheduler) {
    case "grid-engine":
      return gridEngine;
    case "slurm":
      return slurm;
    case "pbs-pro":
      return pbsPro;
    default:
      return localAdapter(localStateDir);
  }
}
