/** Exit codes shared by every sweval tool. */
export const ExitCode = {
  ok: 0,
  /** The work itself failed: a scheduler refused, a subprocess died, a deadline passed. */
  workFailed: 1,
  /** Bad usage or bad input: a flag, a file, a schema or a rule violation. */
  badInput: 2,
} as const;

/** Where in an input a problem sits; rendered as `file:line: field "x": …`. */
export interface Location {
  file?: string;
  line?: number;
  field?: string;
}

export interface SwevalErrorOptions extends Location {
  /** A stable string code programs and tests can match on, e.g. `E_UNKNOWN_TASK`. */
  code: string;
  /** What to do about it; printed on its own line after the message. */
  hint?: string;
  cause?: unknown;
}

/** Base class of the errors sweval reports to users without a stack trace. */
export class SwevalError extends Error {
  readonly code: string;
  readonly exitCode: number = ExitCode.workFailed;
  readonly file?: string;
  readonly line?: number;
  readonly field?: string;
  readonly hint?: string;
  /** The message without the location prefix. */
  readonly detail: string;

  constructor(message: string, options: SwevalErrorOptions) {
    super(formatLocated(message, options), { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.detail = message;
    this.file = options.file;
    this.line = options.line;
    this.field = options.field;
    this.hint = options.hint;
  }
}

/** Bad usage or input: exit 2. */
export class InputError extends SwevalError {
  override readonly exitCode: number = ExitCode.badInput;
}

/** The work failed: exit 1. */
export class WorkError extends SwevalError {
  override readonly exitCode: number = ExitCode.workFailed;
}

/** True for errors that carry their own exit code and a user-ready message. */
export function isSwevalError(error: unknown): error is SwevalError {
  return error instanceof SwevalError;
}

/** `file:line: field "x": message`, leaving out the parts that are unknown. */
export function formatLocated(message: string, location: Location): string {
  let prefix = "";
  if (location.file) prefix += location.line ? `${location.file}:${location.line}: ` : `${location.file}: `;
  if (location.field) prefix += `field "${location.field}": `;
  return prefix + message;
}

/** The closest candidates by edit distance, for did-you-mean hints. */
export function suggest(input: string, candidates: Iterable<string>, max = 3): string[] {
  const scored: Array<[string, number]> = [];
  const limit = Math.max(2, Math.floor(input.length / 3));
  for (const candidate of candidates) {
    const distance = editDistance(input.toLowerCase(), candidate.toLowerCase());
    const contains = candidate.toLowerCase().includes(input.toLowerCase()) && input.length >= 3;
    if (distance <= limit || contains) scored.push([candidate, contains ? Math.min(distance, 1) : distance]);
  }
  return scored
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    .slice(0, max)
    .map(([candidate]) => candidate);
}

/** ` (did you mean "a" or "b"?)`, or an empty string when nothing is close. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const close = suggest(input, candidates);
  if (close.length === 0) return "";
  return ` (did you mean ${close.map((c) => `"${c}"`).join(" or ")}?)`;
}

// --- internal ---

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0] ?? 0;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j] ?? 0;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      previous[j] = Math.min(above + 1, (previous[j - 1] ?? 0) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return previous[b.length] ?? 0;
}
