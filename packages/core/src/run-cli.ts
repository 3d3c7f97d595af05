import { ExitCode, isSwevalError } from "./errors.js";
import type { Io } from "./io.js";

/** The subset of commander's Command that runCli needs; keeps commander out of core's dependencies. */
export interface CommandLike {
  exitOverride(): unknown;
  configureOutput(output: { writeOut(text: string): void; writeErr(text: string): void }): unknown;
  parseAsync(argv: readonly string[], options: { from: "user" }): Promise<unknown>;
  readonly commands: readonly Omit<CommandLike, "parseAsync">[];
}

/**
 * Runs a commander program and maps every outcome to an exit code: 0 for help and version, 2 for
 * usage errors and InputError, 1 for WorkError and for bugs (which also print their stack).
 */
export async function runCli(tool: string, program: CommandLike, argv: readonly string[], io: Io): Promise<number> {
  routeOutcomes(program, io);
  try {
    await program.parseAsync(argv, { from: "user" });
    return ExitCode.ok;
  } catch (error) {
    return reportError(tool, error, io);
  }
}

/**
 * Sub-commands made before this call do not inherit these settings from their parent: without them a usage error
 * in `tool sub` exits the process with commander's 1 instead of returning 2.
 */
function routeOutcomes(command: Omit<CommandLike, "parseAsync">, io: Io): void {
  command.exitOverride();
  command.configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
  for (const sub of command.commands) routeOutcomes(sub, io);
}

/** Prints an error for a person and returns the exit code it deserves. */
export function reportError(tool: string, error: unknown, io: Pick<Io, "stderr" | "env" | "cwd">): number {
  const commanderCode = (error as { code?: unknown })?.code;
  if (typeof commanderCode === "string" && commanderCode.startsWith("commander.")) {
    if (commanderCode === "commander.helpDisplayed" || commanderCode === "commander.version") return ExitCode.ok;
    // Help shown because no sub-command was given is a usage error, as for any other missing argument.
    if (commanderCode === "commander.help") return (error as { exitCode?: number }).exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
    // commander has already printed its own message.
    return ExitCode.badInput;
  }
  if (isSwevalError(error)) {
    io.stderr.write(`${tool}: error: ${error.message}\n`);
    if (error.hint) io.stderr.write(`${tool}: hint: ${error.hint}\n`);
    if (io.env.SWEVAL_DEBUG && error.stack) io.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`${tool}: internal error (a bug; please report it with the lines below)\n${stack.replaceAll(io.cwd, "<cwd>")}\n`);
  return ExitCode.workFailed;
}
