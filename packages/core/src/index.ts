export { commandFromVariable, findOnPath } from "./commands.js";
export { formatIssues, parseDocument, parseJsonStream, parseJsonText } from "./documents.js";
export type { Location, SwevalErrorOptions } from "./errors.js";
export { didYouMean, ExitCode, formatLocated, InputError, isSwevalError, SwevalError, suggest, WorkError } from "./errors.js";
export type { HelpCommandLike, HelpFooter, SwevalVariable } from "./help.js";
export { addHelpFooter, helpFooter, SWEVAL_VARIABLES } from "./help.js";
export type { Io, Logger, LogLevel } from "./io.js";
export {
  createLogger,
  processIo,
  readAll,
  readFailure,
  readPackageVersion,
  readTextInput,
  renderJson,
  renderJsonLines,
  writeFailure,
  writeFileAtomic,
} from "./io.js";
export { pythonFloatRepr, shellQuote } from "./python-format.js";
export type { CommandLike } from "./run-cli.js";
export { reportError, runCli } from "./run-cli.js";
export {
  CONTROL_CHARACTERS,
  CONTROL_CHARACTERS_MESSAGE,
  commentText,
  doubleQuoted,
  hasControlCharacters,
  SAFE_NAME,
  TASK_KEY,
} from "./safe-strings.js";
