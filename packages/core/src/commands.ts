import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { InputError } from "./errors.js";

/** The first `<dir>/<name>` of PATH that exists, as a shell would find the command; null when none does. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

/**
 * A program given in an environment variable as a JSON array of strings (SWEVAL_VLLM_CMD, SWEVAL_HF_CMD): an argv,
 * so no shell splits or expands it. Anything else is an InputError naming the variable.
 */
export function commandFromVariable(variable: string, text: string, example: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = null;
  }
  if (!Array.isArray(value) || value.length === 0 || !value.every((part) => typeof part === "string"))
    throw new InputError(`expected a JSON array of strings, e.g. ${example}, received ${JSON.stringify(text.slice(0, 100))}`, {
      code: "E_ENV",
      field: variable,
    });
  return value;
}
