/**
 * What may reach a job script, a scheduler directive or a file name. Values are quoted wherever a shell reads
 * them; these rules are for the places quoting cannot help: a directive or comment line ends at a newline,
 * and a name becomes a path segment.
 */

/** Control characters (newline, carriage return, NUL, ESC…): each ends or corrupts a line of a script. */
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** A name that is one path segment: a model org or name, a custom setting, a cluster or node kind. */
export const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A task key (`<lang>_<task>`), which is also a job name and a script's file name. */
export const TASK_KEY = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

export const CONTROL_CHARACTERS_MESSAGE = "control characters (a newline, NUL, …) are not allowed here";

export function hasControlCharacters(text: string): boolean {
  return CONTROL_CHARACTERS.test(text);
}

/** Text for a `#` comment line: control characters shown as `?`, so the comment cannot end early. */
export function commentText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, "?");
}

/** A value for the default of `"${VAR:-…}"`: backslash before each character double quotes give a meaning to. */
export function doubleQuoted(text: string): string {
  return text.replace(/[\\$`"]/g, (c) => `\\${c}`);
}
