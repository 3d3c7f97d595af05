import type { Scheduler } from "../schema.js";
import { gridEngine } from "./grid-engine.js";
import { local } from "./local.js";
import { pbsPro } from "./pbs-pro.js";
import { slurm } from "./slurm.js";
import type { Dialect } from "./types.js";

const DIALECTS: Record<Scheduler, Dialect> = { "grid-engine": gridEngine, "pbs-pro": pbsPro, slurm, local };

/** The dialect of a scheduler. */
export function dialectFor(scheduler: Scheduler): Dialect {
  return DIALECTS[scheduler];
}
