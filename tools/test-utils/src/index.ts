import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";

/** The repository root, for tests that read the project's own conf/. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** `../shared` beside the repository: legacy data and fixtures; absent on some machines. */
export const sharedRoot = resolve(repoRoot, "../shared");

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** Writes an inline file tree into a fresh temp dir, removed after the test. Returns its real path. */
export async function testdir(files: Record<string, string> = {}): Promise<string> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), "sweval-test-")));
  // Retries: a local-scheduler supervisor may still be writing its last state file as the test ends.
  cleanups.push(() => rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }));
  for (const [path, content] of Object.entries(files)) {
    const target = join(dir, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  return dir;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a built bin as a user would: a new node process, with stdin, env and cwd. */
export function runBin(
  bin: string,
  args: readonly string[],
  options: { stdin?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    // "--" as the bins' shebang has it: Node 20 would otherwise take a tool's own --env-file for its own.
    const child = spawn(process.execPath, ["--", bin, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, NO_COLOR: "1", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ exitCode: code ?? 1, stdout, stderr }));
    child.stdin.end(options.stdin ?? "");
  });
}

/** In-memory streams for driving a CLI's `main(argv, io)` in-process. */
export function memoryIo(options: { stdin?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const stdin = new PassThrough();
  stdin.end(options.stdin ?? "");
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk) => (out += chunk));
  stderr.on("data", (chunk) => (err += chunk));
  return {
    io: { stdin, stdout, stderr, env: options.env ?? {}, cwd: options.cwd ?? repoRoot },
    stdout: () => out,
    stderr: () => err,
  };
}

/** Skips a test with a one-line reason when `../shared` is not beside the repository. */
export { existsSync as exists } from "node:fs";
export { chromiumPath, launchChromium } from "./browser.js";

/** The processes (pid and command line) whose working directory is dir or below it, from /proc: what a job left. */
export function processesIn(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`))
        found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim()}`);
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}

/** Polls until no process runs in dir, or the timeout; returns what is left. */
export async function waitForNoProcessesIn(dir: string, timeoutMs = 30_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = processesIn(dir);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Says on stderr, in one line, what a test file skips and why, when `available` is false (vitest itself only
 * counts skipped tests). Returns `available`, for `describe.skipIf(!note(...))`.
 */
export function skipNote(available: boolean, what: string, why: string): boolean {
  if (!available) process.stderr.write(`sweval tests: skipping ${what}: ${why}\n`);
  return available;
}
export { swallowCheckout } from "./checkouts.js";

/**
 * A Python with the real parquet writer (datasets + pyarrow), for fixtures made as the fork makes them: $SWEVAL_PYTHON
 * (.ci/run builds one from the wheels the machine carries), else null, and the caller says what it used instead.
 */
export function realWriterPython(): string | null {
  const python = process.env.SWEVAL_PYTHON;
  if (!python) return null;
  const probe = spawnSync(python, ["-c", "import datasets, pyarrow"], { encoding: "utf8" });
  return probe.status === 0 ? python : null;
}
