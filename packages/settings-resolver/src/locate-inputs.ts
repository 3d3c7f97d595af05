import { existsSync, readdirSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { didYouMean, formatIssues, InputError } from "@sweval/core";
import { parse as parseYaml } from "yaml";
import { type ClusterProfile, ClusterProfileSchema } from "./schema.js";
import { readInputFile } from "./tasks-runtime.js";

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

/** The cluster profile files available: the root's conf/clusters over the embedded ones. */
export function listClusterProfiles(root: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const dir of [join(embeddedDefaultsDir, "conf/clusters"), join(root, "conf/clusters")]) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)) if (file.endsWith(".yaml")) found.set(file.slice(0, -5), join(dir, file));
  }
  return found;
}

/** Reads `--cluster NAME` (conf/clusters/NAME.yaml under root, else embedded) or `--cluster path.yaml`. */
export async function readClusterProfile(nameOrPath: string, root: string): Promise<{ profile: ClusterProfile; path: string }> {
  let path: string | undefined;
  if (nameOrPath.endsWith(".yaml") || nameOrPath.includes("/")) {
    path = isAbsolute(nameOrPath) ? nameOrPath : resolve(root, nameOrPath);
  } else {
    const available = listClusterProfiles(root);
    path = available.get(nameOrPath);
    if (!path) {
      throw new InputError(`unknown cluster "${nameOrPath}"${didYouMean(nameOrPath, available.keys())}`, {
        code: "E_UNKNOWN_CLUSTER",
        field: "--cluster",
        hint: `available: ${[...available.keys()].sort().join(", ")}`,
      });
    }
  }
  const text = await readInputFile(path, "cluster profile");
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    const line = (error as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    throw new InputError(`malformed YAML: ${(error as Error).message.split("\n")[0]}`, { code: "E_YAML", file: path, line, cause: error });
  }
  const parsed = ClusterProfileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InputError(`invalid cluster profile: ${formatIssues(parsed.error.issues).join("; ")}`, {
      code: "E_SCHEMA",
      file: path,
      field: parsed.error.issues[0]?.path.join("."),
    });
  }
  const profile = parsed.data;
  if (!profile.nodeKinds[profile.defaultNodeKind]) {
    throw new InputError(`defaultNodeKind "${profile.defaultNodeKind}" is not one of nodeKinds`, {
      code: "E_SCHEMA",
      file: path,
      field: "defaultNodeKind",
    });
  }
  return { profile, path };
}
