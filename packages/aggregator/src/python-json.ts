import { pythonFloatRepr } from "@sweval/core";

/** A number that Python holds as an int (JSON `1`), as opposed to a float (JSON `1.0`). */
export class PyInt {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
}

/** A value Python would load from JSON: numbers keep their int/float nature. */
export type PyValue = null | boolean | string | number | PyInt | PyValue[] | Map<string, PyValue> | { [key: string]: PyValue };

const INT_MARK = "\u001fsweval-int:";
const FLOAT_MARK = "\u001fsweval-float:";
// Strings are matched first so digits inside them are left alone.
const TOKENS = /"(?:[^"\\]|\\.)*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|-?Infinity|NaN/g;

/**
 * Parses JSON as Python's json.load does: integer-form numbers become PyInt, NaN and ±Infinity are
 * accepted. Plain JSON.parse does the work; tokens are tagged first so the int/float distinction survives.
 */
export function parsePythonJson(text: string): PyValue {
  const tagged = text.replace(TOKENS, (token) => {
    if (token.startsWith('"')) return token;
    // The mark goes in as a \u001f escape: a raw control character is not allowed in JSON strings.
    if (token === "NaN" || token.endsWith("Infinity")) return `"\\u001f${FLOAT_MARK.slice(1)}${token}"`;
    if (!/[.eE]/.test(token)) return `"\\u001f${INT_MARK.slice(1)}${token}"`;
    return token;
  });
  return JSON.parse(tagged, (_key, value) => {
    if (typeof value !== "string" || value.charCodeAt(0) !== 0x1f) return value;
    if (value.startsWith(INT_MARK)) return new PyInt(Number(value.slice(INT_MARK.length)));
    if (value.startsWith(FLOAT_MARK)) return Number(value.slice(FLOAT_MARK.length));
    return value;
  }) as PyValue;
}

/** Python's str() of a number: `-1`, `0.5`, `1.0`, `nan`. */
export function pythonStr(value: number | PyInt): string {
  return value instanceof PyInt ? String(value.value) : pythonFloatRepr(value);
}

/**
 * Serialises like Python's `json.dump(value, f, indent=2)`: `", "`/`": "` separators, 2-space indent,
 * every character outside printable ASCII escaped as \uXXXX, floats as repr, NaN/Infinity bare, no final newline.
 */
export function dumpPythonJson(value: PyValue, indent = 2, depth = 0): string {
  if (value === null) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (value instanceof PyInt) return String(value.value);
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
    return pythonFloatRepr(value);
  }
  if (typeof value === "string") return pythonJsonString(value);
  const pad = " ".repeat(indent * (depth + 1));
  const closePad = " ".repeat(indent * depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((item) => pad + dumpPythonJson(item, indent, depth + 1)).join(",\n")}\n${closePad}]`;
  }
  // A Map keeps insertion order for every key; a plain object would move integer-like keys first.
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, v]) => `${pad}${pythonJsonString(k)}: ${dumpPythonJson(v, indent, depth + 1)}`).join(",\n")}\n${closePad}}`;
}

/** A JSON string with ensure_ascii=True: Python escapes everything outside 0x20-0x7e. */
export function pythonJsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const char = text[i] as string;
    if (char === '"') out += '\\"';
    else if (char === "\\") out += "\\\\";
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (char === "\b") out += "\\b";
    else if (char === "\f") out += "\\f";
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += char;
  }
  return `${out}"`;
}
