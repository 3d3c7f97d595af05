import { spawn } from "node:child_process";
import { didYouMean, ExitCode, findOnPath, type Io, processIo, readPackageVersion } from "@sweval/core";
import { TOOLS, type ToolEntry } from "./tools.js";

interface ToolModule {
  main(argv: readonly string[], io: Io): Promise<number>;
}

/**
 * `sweval <tool> …`: runs a sweval tool like git runs its sub-commands. Installed @sweval packages
 * run in this process (no extra start-up); anything else is looked up as `sweval-<tool>` on PATH.
 */
export async function main(argv: readonly string[], io: Io = processIo(), tools: Record<string, ToolEntry> = TOOLS): Promise<number> {
  const [tool, ...rest] = argv;
  // `sweval help <tool>` is `sweval <tool> --help`, as git and npm have it.
  if (tool === "help" && rest[0] !== undefined) return main([rest[0], "--help"], io, tools);
  if (tool === undefined || tool === "help" || tool === "-h" || tool === "--help") {
    (tool === undefined ? io.stderr : io.stdout).write(renderUsage());
    return tool === undefined ? ExitCode.badInput : ExitCode.ok;
  }
  if (tool === "-V" || tool === "--version") {
    io.stdout.write(`${readPackageVersion(import.meta.url)}\n`);
    return ExitCode.ok;
  }
  const entry = tools[tool];
  if (entry) {
    const module = await importTool(entry.packageName);
    if (module) return module.main(rest, io);
  }
  const external = findOnPath(`sweval-${tool}`, io.env);
  if (external) return runExternal(external, rest, io);
  const reason = entry ? `${entry.packageName} is not installed` : `unknown tool "${tool}"${didYouMean(tool, Object.keys(tools))}`;
  io.stderr.write(`sweval: error: ${reason}\nsweval: hint: run \`sweval --help\` for the list\n`);
  return ExitCode.badInput;
}

/** The usage text listing each tool. */
export function renderUsage(): string {
  const width = Math.max(...Object.keys(TOOLS).map((name) => name.length));
  const lines = Object.entries(TOOLS).map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary} (${entry.bin})`);
  return `Usage: sweval <tool> [options]\n\nTools:\n${lines.join("\n")}\n\nRun \`sweval help <tool>\` (or \`sweval-<tool> --help\`) for a tool's options. Tools compose through JSON on stdin/stdout:\n  sweval resolve --model <org>/<name> --tasks all | sweval render --out jobs/\n`;
}

// --- internal ---

async function importTool(packageName: string): Promise<ToolModule | null> {
  try {
    return (await import(`${packageName}/cli`)) as ToolModule;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "ERR_PACKAGE_PATH_NOT_EXPORTED") return null;
    throw error;
  }
}

function runExternal(path: string, argv: readonly string[], io: Io): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(path, argv, { env: io.env, cwd: io.cwd, stdio: ["pipe", "pipe", "pipe"] });
    io.stdin.pipe(child.stdin);
    child.stdout.pipe(io.stdout, { end: false });
    child.stderr.pipe(io.stderr, { end: false });
    child.on("error", (error) => {
      io.stderr.write(`sweval: error: cannot run ${path}: ${error.message}\n`);
      resolve(ExitCode.workFailed);
    });
    child.on("close", (code) => resolve(code ?? ExitCode.workFailed));
  });
}
