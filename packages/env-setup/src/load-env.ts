import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { InputError } from "@sweval/core";
import { type DotenvIssue, parseDotenv } from "./parse-dotenv.js";
import { type SwevalEnv, SwevalEnvSchema } from "./schema.js";

export interface LoadEnvOptions {
  /** The .env file. @default $SWEVAL_ENV_FILE, else <cwd>/.env */
  file?: string | null;
  /** @default process.cwd() */
  cwd?: string;
  /** The real environment; its values win over the file's. @default process.env */
  env?: NodeJS.ProcessEnv;
}

export interface LoadedEnv {
  /** The file read, or null when there is none (then only the real environment counts). */
  file: string | null;
  /** Every variable the file defines, expanded, with the real environment's value where one is set. */
  values: SwevalEnv;
  /** Where each value came from. */
  origins: Record<string, { file: string; line: number } | "environment">;
  issues: DotenvIssue[];
}

/**
 * The loader every sweval tool uses: reads `.env` as bash would source it, lets the real environment win,
 * and types the result. A file that cannot be read is an InputError (exit 2); a missing default file is not.
 */
export function loadEnv(options: LoadEnvOptions = {}): LoadedEnv {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.file ?? env.SWEVAL_ENV_FILE;
  const file = explicit ? resolve(cwd, explicit) : join(cwd, ".env");
  if (!existsSync(file)) {
    if (explicit) throw new InputError(".env file not found", { code: "E_ENV_FILE", file });
    return { file: null, values: pickKnown(env), origins: {}, issues: [] };
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new InputError(`.env file cannot be read (${(error as NodeJS.ErrnoException).code})`, { code: "E_ENV_FILE", file, cause: error });
  }
  const parsed = parseDotenv(text, { env });
  const origins: LoadedEnv["origins"] = {};
  for (const entry of parsed.entries) origins[entry.key] = env[entry.key] !== undefined ? "environment" : { file, line: entry.line };
  const merged = { ...pickKnown(env), ...parsed.values };
  const typed = SwevalEnvSchema.safeParse(merged);
  if (!typed.success) {
    const issue = typed.error.issues[0];
    const key = String(issue?.path[0] ?? "");
    const origin = origins[key];
    throw new InputError(issue?.message ?? "invalid value", {
      code: "E_ENV_VALUE",
      file: origin && origin !== "environment" ? origin.file : file,
      line: origin && origin !== "environment" ? origin.line : undefined,
      field: key,
    });
  }
  return { file, values: typed.data, origins, issues: parsed.issues };
}

// --- internal ---

const KNOWN = Object.keys(SwevalEnvSchema.shape);

function pickKnown(env: NodeJS.ProcessEnv): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const key of KNOWN) if (env[key] !== undefined) picked[key] = env[key] as string;
  return picked;
}
