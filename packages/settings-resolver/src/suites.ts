import { existsSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { InputError, TASK_KEY } from "@sweval/core";
import { parse } from "yaml";
import { z } from "zod";
import { embeddedDefaultsDir } from "./locate-inputs.js";

/** A named list of task keys, in submission order: what `--tasks all` means for it. */
export interface Suite {
  name: string;
  file: string;
  tasks: Array<{ key: string; line: number }>;
}

export const SuiteFileSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9._-]+$/),
  description: z.string().optional(),
  tasks: z.array(z.string().regex(TASK_KEY, "a <lang>_<task> key")).min(1),
  sources: z.array(z.string()).optional(),
});

/**
 * A suite by name (`conf/suites/<name>.yaml` under root, else the embedded ones), by path, or a legacy
 * `qsub_all.sh`, whose uncommented `qsub_task <lang> <task>` lines are its suite.
 */
export function readSuite(nameOrPath: string, root: string): Suite {
  const file = locateSuite(nameOrPath, root);
  const text = readFileSync(file, "utf8");
  return file.endsWith(".sh") ? suiteFromQsubAll(text, file) : suiteFromYaml(text, file);
}

/** The legacy checkout's own suite: scripts/qsub/qsub_all.sh under root, when there is one. */
export function checkoutSuite(root: string): Suite | null {
  const file = join(root, "scripts/qsub/qsub_all.sh");
  return existsSync(file) ? suiteFromQsubAll(readFileSync(file, "utf8"), file) : null;
}

// --- internal ---

function locateSuite(nameOrPath: string, root: string): string {
  if (/[/\\]|\.(ya?ml|sh)$/.test(nameOrPath)) {
    const file = resolve(root, nameOrPath);
    if (!existsSync(file)) throw new InputError("suite file not found", { code: "E_SUITE", file, field: "--suite" });
    return file;
  }
  const candidates = [join(root, "conf/suites", `${nameOrPath}.yaml`), join(embeddedDefaultsDir, "conf/suites", `${nameOrPath}.yaml`)];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found)
    throw new InputError(`no suite named "${nameOrPath}" (looked in ${candidates.join(", ")})`, {
      code: "E_SUITE",
      field: "--suite",
      hint: "the embedded suites are swallow-v202508 and swallow-v202604; or pass a suite file or a qsub_all.sh",
    });
  return found;
}

/** `qsub_task ja gpqa` → ja_gpqa, skipping commented lines and the function's own definition. */
function suiteFromQsubAll(text: string, file: string): Suite {
  const tasks: Suite["tasks"] = [];
  for (const [index, line] of text.split("\n").entries()) {
    const match = /^\s*qsub_task\s+([A-Za-z0-9]+)\s+([A-Za-z0-9._+-]+)\s*(?:#.*)?$/.exec(line);
    if (match) tasks.push({ key: `${match[1]}_${match[2]}`, line: index + 1 });
  }
  if (tasks.length === 0) throw new InputError("no uncommented `qsub_task <lang> <task>` line", { code: "E_SUITE", file });
  return { name: basename(file), file, tasks };
}

function suiteFromYaml(text: string, file: string): Suite {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new InputError(`malformed YAML: ${(error as Error).message.split("\n")[0]}`, { code: "E_SUITE", file, cause: error });
  }
  const parsed = SuiteFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(issue?.message ?? "not a suite", { code: "E_SUITE", file, field: issue?.path.join(".") });
  }
  const lines = text.split("\n");
  const lineOf = (key: string) =>
    lines.findIndex((line) => new RegExp(`^\\s*-\\s*["']?${key.replace(/[.+]/g, "\\$&")}["']?\\s*$`).test(line)) + 1;
  return { name: parsed.data.name, file, tasks: parsed.data.tasks.map((key) => ({ key, line: lineOf(key) })) };
}
