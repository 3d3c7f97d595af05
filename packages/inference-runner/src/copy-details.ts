import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * V5's COPY_DETAILS (utils/abci/copy_results.sh), for the job's own task only (the legacy copies every task of
 * task_settings.csv, a bug): the details of the newest run folder that holds the task go to
 * `<dir>/<path below lighteval/outputs/details>/`, group-readable and -writable as the legacy's umask 007 leaves them.
 * Returns the files copied.
 */
export function copyTaskDetails(options: { rawDetailsDir: string; detailsRoot: string; taskDef: string; dir: string }): string[] {
  const { rawDetailsDir, detailsRoot, dir } = options;
  if (!existsSync(rawDetailsDir)) return [];
  const [suite = "", task = ""] = options.taskDef.split("|");
  const prefix = `details_${suite}|${task}`;
  const ofTask = (name: string) => name.startsWith(`${prefix}|`) || name.startsWith(`${prefix}:`);
  const runs = readdirSync(rawDetailsDir)
    .filter((name) => statSync(join(rawDetailsDir, name)).isDirectory())
    .sort()
    .reverse();
  for (const run of runs) {
    const files = readdirSync(join(rawDetailsDir, run)).filter(ofTask);
    if (files.length === 0) continue;
    const target = join(dir, relative(detailsRoot, join(rawDetailsDir, run)));
    mkdirSync(target, { recursive: true, mode: 0o770 });
    return files.map((file) => {
      copyFileSync(join(rawDetailsDir, run, file), join(target, file));
      chmodSync(join(target, file), 0o660);
      return join(target, file);
    });
  }
  return [];
}
