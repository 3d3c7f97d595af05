import { homedir } from "node:os";
import { maskSecret } from "./mask.js";
import { isSecretName } from "./schema.js";

/** One assignment of a .env file, with its expanded value. */
export interface DotenvEntry {
  key: string;
  value: string;
  /** The text after `=`, as written. */
  raw: string;
  line: number;
}

/** Something in the file bash would not do the way it reads, or would refuse. */
export interface DotenvIssue {
  line: number;
  key?: string;
  message: string;
}

export interface ParseDotenvOptions {
  /** Variables visible to expansions before the file's own (bash sees the process environment). @default {} */
  env?: NodeJS.ProcessEnv;
  /** Keep the environment's value for a key the file also assigns (values from the real environment win). @default true */
  environmentWins?: boolean;
}

export interface ParsedDotenv {
  entries: DotenvEntry[];
  /** The final values: the file's assignments in order, expanded as bash would, environment winning. */
  values: Record<string, string>;
  issues: DotenvIssue[];
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** No setting is longer: a value past it comes from an expansion feeding on itself. */
const MAX_VALUE_LENGTH = 1 << 20;

/**
 * Parses a `.env` written for `source` in bash: `KEY=value`, `export KEY=value`, `#` comments, single quotes
 * (literal), double quotes (with `$VAR`, `${VAR}`, `${VAR:-default}` and backslash escapes, newlines allowed),
 * unquoted words with the same expansions, `~` at the start. Assignments are evaluated in order, so a value
 * sees only the variables defined before it (a reference cycle yields empty strings, as in bash).
 */
export function parseDotenv(text: string, options: ParseDotenvOptions = {}): ParsedDotenv {
  const env = options.env ?? {};
  const environmentWins = options.environmentWins ?? true;
  const scope: Record<string, string | undefined> = { ...env };
  const values: Record<string, string> = {};
  const entries: DotenvEntry[] = [];
  const issues: DotenvIssue[] = [];
  const lines = text
    .replace(/^\uFEFF/, "")
    .split("\n")
    .map((l) => l.replace(/\r$/, ""));
  if (text.includes("\r\n")) {
    issues.push({
      line: 1,
      message: "CRLF line endings: bash keeps the carriage return in every value it sources; convert the file with dos2unix",
    });
  }
  for (const [index, line] of lines.entries()) {
    if (line.includes("$(") || line.includes("`"))
      issues.push({
        line: index + 1,
        message:
          "command substitution ($( or a backquote): sourcing .env would run it, so jobs refuse a .env holding one anywhere (comments too); write the value itself",
      });
  }
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    let line = lines[index] ?? "";
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const match = /^\s*(?:export\s+)?([^=\s]+)(\s*)=(\s*)(.*)$/.exec(line);
    if (!match) {
      // The line is not quoted back: a pasted key on a line of its own is the usual cause.
      issues.push({ line: lineNumber, message: "not a KEY=value assignment (the line is not shown: it may hold a secret)" });
      continue;
    }
    const [, key = "", spaceBefore = "", spaceAfter = ""] = match;
    if (!KEY.test(key)) {
      issues.push({
        line: lineNumber,
        key: key.length >= 12 ? maskSecret(key) : key,
        message: `"${key.length >= 12 ? maskSecret(key) : key}" is not a valid variable name`,
      });
      continue;
    }
    if (spaceBefore || spaceAfter) {
      issues.push({ line: lineNumber, key, message: "spaces around = make bash run a command instead of assigning; remove them" });
      continue;
    }
    // A double- or single-quoted value may run over several lines.
    let rest = match[4] ?? "";
    let consumed = 0;
    while (!quotesBalanced(rest) && index + consumed + 1 < lines.length) {
      consumed++;
      rest += `\n${lines[index + consumed]}`;
    }
    if (!quotesBalanced(rest)) {
      issues.push({ line: lineNumber, key, message: "unterminated quote" });
      break;
    }
    index += consumed;
    line = rest;
    const result = evaluateWord(line, scope, (message) => issues.push({ line: lineNumber, key, message }), isSecretName(key));
    const value = environmentWins && env[key] !== undefined ? (env[key] as string) : result.value;
    scope[key] = value;
    values[key] = value;
    entries.push({ key, value: result.value, raw: rest.slice(0, result.consumed).trimEnd(), line: lineNumber });
  }
  return { entries, values, issues };
}

// --- internal ---

function quotesBalanced(text: string): boolean {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quote === null && char === "#" && (i === 0 || /\s/.test(text[i - 1] ?? ""))) return true;
    if (char === "\\" && quote !== "'") {
      i++;
      continue;
    }
    if (quote === null && (char === '"' || char === "'")) quote = char;
    else if (quote === char) quote = null;
  }
  return quote === null;
}

/** Evaluates one shell word (the value), stopping at unquoted whitespace; reports trailing text. */
function evaluateWord(text: string, scope: Record<string, string | undefined>, report: (message: string) => void, secret = false) {
  let value = "";
  let i = 0;
  if (text.startsWith("~/") || text === "~") {
    value += scope.HOME ?? homedir();
    i = 1;
  }
  while (i < text.length) {
    // `A="$A$A"` line after line doubles a value: stop at a size no real setting has, instead of exhausting memory.
    if (value.length > MAX_VALUE_LENGTH) {
      report(`the value grows past ${MAX_VALUE_LENGTH} characters when expanded (a variable that refers to itself?); it is cut there`);
      return { value: value.slice(0, MAX_VALUE_LENGTH), consumed: text.length };
    }
    const char = text[i] as string;
    if (/\s/.test(char)) break;
    if (char === "'") {
      const end = text.indexOf("'", i + 1);
      value += text.slice(i + 1, end);
      i = end + 1;
    } else if (char === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\" && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1] as string)) {
          if (text[i + 1] !== "\n") value += text[i + 1];
          i += 2;
        } else if (text[i] === "$") {
          const expanded = expand(text, i, scope, report);
          value += expanded.value;
          i = expanded.end;
        } else if (text[i] === "`") {
          value += text[i];
          i++;
        } else {
          value += text[i];
          i++;
        }
      }
      i++;
    } else if (char === "\\") {
      value += text[i + 1] ?? "";
      i += 2;
    } else if (char === "$") {
      const expanded = expand(text, i, scope, report);
      value += expanded.value;
      i = expanded.end;
    } else {
      value += char;
      i++;
    }
  }
  const trailing = text.slice(i).trim();
  if (trailing !== "" && !trailing.startsWith("#")) {
    const shown = secret ? "the text after the space" : `"${trailing.slice(0, 40)}"`;
    report(`unquoted space: bash would run ${shown} as a command; quote the whole value`);
  }
  if (value.length > MAX_VALUE_LENGTH) {
    report(`the value grows past ${MAX_VALUE_LENGTH} characters when expanded (a variable that refers to itself?); it is cut there`);
    return { value: value.slice(0, MAX_VALUE_LENGTH), consumed: i };
  }
  return { value, consumed: i };
}

/** `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}` at text[start] === "$". */
function expand(text: string, start: number, scope: Record<string, string | undefined>, report: (message: string) => void) {
  const next = text[start + 1];
  if (next === "(") {
    return { value: "$", end: start + 1 };
  }
  if (next === "{") {
    const close = text.indexOf("}", start + 2);
    if (close < 0) {
      report('"${" without a closing "}"');
      return { value: text.slice(start), end: text.length };
    }
    const inner = text.slice(start + 2, close);
    const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)(.*))?$/.exec(inner);
    if (!match) {
      report(`unsupported expansion "\${${inner}}"`);
      return { value: "", end: close + 1 };
    }
    const [, name = "", operator, fallback = ""] = match;
    const current = scope[name];
    if (operator === ":-" && (current === undefined || current === "")) return { value: fallback, end: close + 1 };
    if (operator === "-" && current === undefined) return { value: fallback, end: close + 1 };
    if (current === undefined) report(`\${${name}} is not defined before this line; it expands to ""`);
    return { value: current ?? "", end: close + 1 };
  }
  const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(start + 1))?.[0];
  if (!name) return { value: "$", end: start + 1 };
  if (scope[name] === undefined) report(`$${name} is not defined before this line; it expands to ""`);
  return { value: scope[name] ?? "", end: start + 1 + name.length };
}
