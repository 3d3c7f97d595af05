import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "@sweval/core";

/** The defaults shipped inside this package (copied from the repo's conf/ and generation_settings/ at build). */
export const embeddedDefaultsDir = fileURLToPath(new URL("../defaults/", import.meta.url));

export interface LocateInputsOptions {
  /** Where conf/ and generation_settings/ live. @default process.cwd() */
  root: string;
  tasksRuntime?: string | null;
  taskSettings?: string | null;
  customModelSettingsDir?: string | null;
}

export interface InputPaths {
  tasksRuntime: string;
  taskSettings: string;
  customModelSettingsDir: string;
}

/**
 * Finds each input: an explicit path wins; then sweval's layout under root (`conf/…`,
 * `generation_settings/…`); then a swallow-evaluation-instruct checkout's (`scripts/qsub/conf/…`,
 * `scripts/generation_settings/…`); then the defaults embedded in this package.
 */
export function locateInputs(options: LocateInputsOptions): InputPaths {
  const root = options.root;
  const pick = (explicit: string | null | undefined, candidates: string[], what: string, flag: string) => {
    if (explicit) {
      const path = resolve(root, explicit);
      if (!existsSync(path)) throw new InputError(`${what} not found`, { code: "E_INPUT_FILE", file: path, field: flag });
      return path;
    }
    const found = candidates.find((candidate) => existsSync(candidate));
    if (!found) throw new InputError(`no ${what} found (looked in ${candidates.join(", ")})`, { code: "E_INPUT_FILE", field: flag });
    return found;
  };
  return {
    tasksRuntime: pick(
      options.tasksRuntime,
      [
        join(root, "conf/tasks_runtime.csv"),
        join(root, "scripts/qsub/conf/tasks_runtime.csv"),
        join(embeddedDefaultsDir, "conf/tasks_runtime.csv"),
      ],
      "tasks runtime CSV",
      "--tasks-runtime",
    ),
    taskSettings: pick(
      options.taskSettings,
      [
        join(root, "generation_settings/task_settings.csv"),
        join(root, "scripts/generation_settings/task_settings.csv"),
        join(embeddedDefaultsDir, "generation_settings/task_settings.csv"),
      ],
      "task settings CSV",
      "--task-settings",
    ),
    customModelSettingsDir: pick(
      options.customModelSettingsDir,
      [
        join(root, "generation_settings/custom_model_settings"),
        join(root, "scripts/generation_settings/custom_model_settings"),
        join(embeddedDefaultsDir, "generation_settings/custom_model_settings"),
      ],
      "custom model settings directory",
      "--custom-model-settings-dir",
    ),
  };
}
