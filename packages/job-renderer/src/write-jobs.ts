import { chmod } from "node:fs/promises";
import { isAbsolute, relative } from "node:path";
import { writeFileAtomic } from "@sweval/core";
import type { RenderedFile } from "./render-jobs.js";

/** Writes rendered files, each through a temp file and a rename; refuses paths outside outDir. */
export async function writeJobs(outDir: string, files: RenderedFile[]): Promise<void> {
  for (const file of files) {
    const inside = relative(outDir, file.path);
    if (inside.startsWith("..") || isAbsolute(inside)) throw new Error(`refusing to write ${file.path} outside ${outDir}`);
  }
  for (const file of files) {
    await writeFileAtomic(file.path, file.content, file.mode);
    await chmod(file.path, file.mode);
  }
}
