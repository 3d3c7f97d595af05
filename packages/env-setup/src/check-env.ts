import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "@sweval/core";
import { maskSecret, redact } from "./mask.js";
import { parseDotenv } from "./parse-dotenv.js";
import { ENV_VARIABLES, type EnvVariable, isSecretName, SwevalEnvSchema } from "./schema.js";

/** The .env_template embedded in this package (copied from the repository root at build time). */
export const embeddedTemplate = fileURLToPath(new URL("../defaults/.env_template", import.meta.url));

export interface EnvProblem {
  variable: string;
  file: string | null;
  line?: number;
  message: string;
  fix: string;
}

export interface CheckEnvOptions {
  /** @default $SWEVAL_ENV_FILE or <cwd>/.env */
  file?: string | null;
  /** The template to compare against. @default <cwd>/.env_template, else the embedded one */
  template?: string | null;
  /** Cache paths must start with this (the cluster profile's storage rule, TSUBAME4: /gs/bs/). @default null */
  storageRule?: string | null;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface CheckEnvResult {
  file: string;
  template: string;
  problems: EnvProblem[];
}

const KEY_FORMATS: Partial<Record<EnvVariable, { pattern: RegExp; expected: string }>> = {
  OPENAI_API_KEY: { pattern: /^sk-[A-Za-z0-9_-]{20,}$/, expected: "sk- followed by at least 20 letters, digits, - or _" },
  OPENROUTER_API_KEY: { pattern: /^sk-or-[A-Za-z0-9_-]{20,}$/, expected: "sk-or- followed by at least 20 characters" },
  HF_TOKEN: { pattern: /^hf_[A-Za-z0-9]{20,}$/, expected: "hf_ followed by at least 20 letters or digits" },
  DEEPINFRA_API_KEY: { pattern: /^[A-Za-z0-9_-]{16,}$/, expected: "at least 16 letters or digits" },
};

/**
 * Finds every problem in .env at once: unparsable lines, variables that are missing or still the
 * template's placeholder, caches outside the cluster's storage rule, paths that do not exist or cannot be
 * written, malformed keys. Secrets appear only masked. An unreadable file is an InputError.
 */
export function checkEnv(options: CheckEnvOptions = {}): CheckEnvResult {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const file = resolve(cwd, options.file ?? env.SWEVAL_ENV_FILE ?? ".env");
  const template = options.template
    ? resolve(cwd, options.template)
    : existsSync(join(cwd, ".env_template"))
      ? join(cwd, ".env_template")
      : embeddedTemplate;
  const text = readText(file, ".env file", `copy ${template} to ${file} and fill it in`);
  const templateText = readText(template, ".env_template", "pass --template <file>");
  const parsed = parseDotenv(text, { env });
  const templateParsed = parseDotenv(templateText, { env: {}, environmentWins: false });
  const lineOf = new Map(parsed.entries.map((entry) => [entry.key, entry.line]));
  const problems: EnvProblem[] = parsed.issues.map((issue) => ({
    variable: issue.key ?? "",
    file,
    line: issue.line,
    message: issue.message,
    fix: 'write it as KEY="value" on one line, as bash\'s source expects',
  }));
  const at = (variable: string) => ({
    variable,
    file: env[variable] !== undefined ? "(environment)" : file,
    line: env[variable] !== undefined ? undefined : lineOf.get(variable),
  });
  const optional = optionalVariables(templateText);

  for (const entry of templateParsed.entries) {
    const value = parsed.values[entry.key] ?? env[entry.key];
    const templateLine = `${template}:${entry.line}`;
    if (value === undefined || value === "") {
      if (!optional.has(entry.key))
        problems.push({ ...at(entry.key), message: "missing", fix: `set ${entry.key} in .env (see ${templateLine})` });
      continue;
    }
    if (value === entry.value) {
      const shown = isSecretName(entry.key) ? "" : ` ("${value}")`;
      problems.push({
        ...at(entry.key),
        message: `still the template's placeholder${shown}`,
        fix: `replace it with your own value (template: ${templateLine})`,
      });
    }
  }

  for (const [variable, value] of Object.entries({ ...pickEnv(env), ...parsed.values })) {
    if (value === "") continue;
    const spec = ENV_VARIABLES[variable as EnvVariable];
    if (!spec) continue;
    const format = KEY_FORMATS[variable as EnvVariable];
    if (format && !format.pattern.test(value) && !problems.some((p) => p.variable === variable)) {
      problems.push({ ...at(variable), message: `does not look like a key (${maskSecret(value)})`, fix: `expected ${format.expected}` });
    }
    if (spec.kind === "number") {
      const result = SwevalEnvSchema.shape[variable as "REQUEST_TIMEOUT"].safeParse(value);
      if (!result.success)
        problems.push({ ...at(variable), message: `"${value}" is not a number`, fix: result.error.issues[0]?.message ?? "" });
    }
    if (spec.kind === "cache" && options.storageRule && !value.startsWith(options.storageRule)) {
      problems.push({
        ...at(variable),
        message: `${value} is outside ${options.storageRule}`,
        fix: `keep caches under ${options.storageRule} (the cluster's storage rule)`,
      });
    }
    if ((spec.kind === "dir" || spec.kind === "cache") && !problems.some((p) => p.variable === variable)) {
      const pathProblem = checkPath(value, spec.kind === "cache");
      if (pathProblem) problems.push({ ...at(variable), message: pathProblem.message, fix: pathProblem.fix });
    }
  }
  // Whatever a message quotes, no secret value reaches the output beyond its mask.
  const secretValues = Object.entries(parsed.values)
    .filter(([key]) => isSecretName(key))
    .map(([, value]) => value);
  return { file, template, problems: problems.map((p) => ({ ...p, message: redact(p.message, secretValues) })) };
}

/** One problem per line: `file:line: VAR: message (fix: …)`. */
export function renderProblems(problems: EnvProblem[]): string {
  return problems
    .map((p) => `${p.file ? `${p.file}${p.line ? `:${p.line}` : ""}: ` : ""}${p.variable}: ${p.message}\n  fix: ${p.fix}\n`)
    .join("");
}

// --- internal ---

function readText(file: string, what: string, fix: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`${what} ${code === "ENOENT" ? "not found" : `cannot be read (${code})`}`, {
      code: "E_ENV_FILE",
      file,
      hint: fix,
      cause: error,
    });
  }
}

/** Variables whose comment line in the template says "(optional)". */
function optionalVariables(templateText: string): Set<string> {
  const optional = new Set<string>();
  const lines = templateText.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    const key = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=/.exec(line)?.[1];
    if (key && /\(optional\)/i.test(lines[index - 1] ?? "")) optional.add(key);
  }
  return optional;
}

function pickEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(ENV_VARIABLES)) if (env[key] !== undefined) picked[key] = env[key] as string;
  return picked;
}

function checkPath(path: string, mayCreate: boolean): { message: string; fix: string } | null {
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) return { message: `${path} is not a directory`, fix: "point it at a directory" };
    try {
      accessSync(path, constants.W_OK);
      return null;
    } catch {
      return { message: `${path} is not writable`, fix: "choose a directory you can write to" };
    }
  }
  if (!mayCreate) return { message: `${path} does not exist`, fix: "create it or correct the path" };
  let parent = dirname(path);
  while (!existsSync(parent) && parent !== dirname(parent)) parent = dirname(parent);
  try {
    accessSync(parent, constants.W_OK);
    return null;
  } catch {
    return { message: `${path} does not exist and ${parent} is not writable`, fix: "create the directory or choose another path" };
  }
}
