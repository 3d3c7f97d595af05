import { readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { findOnPath } from "@sweval/core";
import { JOB_TOOLS, type JobTools } from "./schema.js";

/**
 * The tools the rendered jobs will run, found the way this renderer's own imports are found: the packages
 * installed beside it (a global prefix, a project's node_modules, an npx cache), else the bin on PATH. Paths are
 * real paths, so a job on another node does not depend on the symlinks npm made on this one.
 */
export function resolveJobTools(env: NodeJS.ProcessEnv = process.env, nodePath: string = process.execPath): JobTools {
  return {
    node: realOrSelf(nodePath),
    run: findBinEntry(JOB_TOOLS.run, env),
    aggregate: findBinEntry(JOB_TOOLS.aggregate, env),
  };
}

// --- internal ---

function findBinEntry(target: { packageName: string; bin: string }, env: NodeJS.ProcessEnv): string | null {
  const beside = installedBeside(target);
  if (beside) return beside;
  const onPath = findOnPath(target.bin, env);
  return onPath ? realOrNull(onPath) : null;
}

/** The package's bin file, resolved from this package (siblings in one node_modules tree resolve each other). */
function installedBeside({ packageName, bin }: { packageName: string; bin: string }): string | null {
  let manifestPath: string;
  try {
    manifestPath = createRequire(import.meta.url).resolve(`${packageName}/package.json`);
  } catch {
    return null;
  }
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { bin?: Record<string, string> | string };
  const relative = typeof manifest.bin === "string" ? manifest.bin : manifest.bin?.[bin];
  return relative ? realOrNull(join(dirname(manifestPath), relative)) : null;
}

function realOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

function realOrSelf(path: string): string {
  return realOrNull(path) ?? path;
}
