export { ExitCode, InputError, WorkError, SwevalError, isSwevalError, formatLocated, suggest, didYouMean } from "./errors.js";
export type { Location, SwevalErrorOptions } from "./errors.js";
export { processIo, readAll, renderJson, renderJsonLines, writeFileAtomic, createLogger } from "./io.js";
export type { Io, Logger, LogLevel } from "./io.js";
export { formatIssues, parseDocument, parseJsonText, parseJsonStream } from "./documents.js";
export { pythonFloatRepr, shellQuote } from "./python-format.js";
export { runCli, reportError } from "./run-cli.js";
export type { CommandLike } from "./run-cli.js";
