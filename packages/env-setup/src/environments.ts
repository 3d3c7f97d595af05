import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { formatIssues, InputError, WorkError, writeFileAtomic } from "@sweval/core";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

/** conf/environments.yaml: the tool environments `sweval-env create` builds. */
export const EnvironmentsConfigSchema = z.object({
  root: z.string().default(".sweval/envs").describe("where the environments go, relative to REPO_PATH"),
  environments: z.record(
    z.string().regex(/^[A-Za-z0-9._-]+$/),
    z
      .object({
        purpose: z.string(),
        python: z
          .union([z.string().regex(/^\d+\.\d+(\.\d+)?$/), z.literal("checkout")])
          .default("checkout")
          .describe('a version, or "checkout": the `requires-python = "==X"` of REPO_PATH/pyproject.toml (V4 3.10.14, V5 3.11.10)'),
        project: z.string().optional().describe("a uv project dir (pyproject.toml + uv.lock), relative to REPO_PATH"),
        extras: z.array(z.string()).default([]),
        requirements: z.string().optional().describe("a requirements file, relative to REPO_PATH"),
        packages: z.array(z.string()).default([]),
      })
      .refine((e) => [e.project, e.requirements, e.packages.length > 0 ? "x" : undefined].filter(Boolean).length === 1, {
        message: "give exactly one of project, requirements or packages",
      }),
  ),
});
export type EnvironmentsConfig = z.infer<typeof EnvironmentsConfigSchema>;

export const embeddedEnvironments = fileURLToPath(new URL("../defaults/conf/environments.yaml", import.meta.url));

/** Reads conf/environments.yaml (the root's, else the embedded default). */
export function readEnvironments(file: string): EnvironmentsConfig {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, "utf8"));
  } catch (error) {
    throw new InputError(`cannot read environments: ${(error as Error).message.split("\n")[0]}`, {
      code: "E_ENVIRONMENTS",
      file,
      cause: error,
    });
  }
  const parsed = EnvironmentsConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InputError(formatIssues(parsed.error.issues).join("; "), {
      code: "E_ENVIRONMENTS",
      file,
      field: parsed.error.issues[0]?.path.join("."),
    });
  }
  return parsed.data;
}

/** Runs a program; injected so tests can record argv. Resolves with the exit code. */
export type Runner = (
  file: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
) => Promise<{ exitCode: number; stderr: string }>;

export interface CreateEnvironmentsOptions {
  config: EnvironmentsConfig;
  repoPath: string;
  /** Only these environments. @default all */
  only?: string[];
  /** Rebuild even when the declaration and lock have not changed. @default false */
  force?: boolean;
  /** Append PATH lines to this shell profile (never twice). @default null */
  shellProfile?: string | null;
  env?: NodeJS.ProcessEnv;
  run?: Runner;
  progress?: (message: string) => void;
}

export interface EnvironmentOutcome {
  name: string;
  path: string;
  status: "created" | "up-to-date";
  hash: string;
}

/**
 * Builds each declared environment with uv: `uv venv`, then `uv sync --locked` for a project (with
 * UV_PROJECT_ENVIRONMENT pointing at the venv), `uv pip install -r` for requirements, or `uv pip install`
 * for packages. Skips an environment whose declaration and lock file hash to what was built last time.
 */
export async function createEnvironments(options: CreateEnvironmentsOptions): Promise<EnvironmentOutcome[]> {
  const env = options.env ?? process.env;
  const run = options.run ?? runWithExeca;
  const progress = options.progress ?? (() => {});
  const names = options.only?.length ? options.only : Object.keys(options.config.environments);
  const root = resolve(options.repoPath, options.config.root);
  const outcomes: EnvironmentOutcome[] = [];
  await ensureUv(run, options.repoPath, env);
  for (const name of names) {
    const declared = options.config.environments[name];
    if (!declared)
      throw new InputError(`unknown environment "${name}"`, {
        code: "E_ENVIRONMENTS",
        field: "--only",
        hint: `declared: ${Object.keys(options.config.environments).join(", ")}`,
      });
    const path = join(root, name);
    const spec = withPython(declared, options.repoPath, progress, name);
    const hash = await hashEnvironment(spec, options.repoPath);
    const stampFile = join(path, ".sweval-env.json");
    if (!options.force && existsSync(stampFile) && JSON.parse(await readFile(stampFile, "utf8")).hash === hash) {
      progress(`${name}: up to date (${hash})`);
      outcomes.push({ name, path, status: "up-to-date", hash });
      continue;
    }
    const steps = planSteps(name, spec, path, options.repoPath);
    for (const [index, step] of steps.entries()) {
      progress(`${name}: [${index + 1}/${steps.length}] ${step.label}`);
      const result = await run("uv", step.args, { cwd: options.repoPath, env: { ...env, ...step.env } });
      if (result.exitCode !== 0) {
        throw new WorkError(
          `uv failed with exit code ${result.exitCode}: uv ${step.args.join(" ")}\n${result.stderr.split("\n").slice(-15).join("\n")}`,
          { code: "E_UV" },
        );
      }
    }
    await writeFileAtomic(stampFile, `${JSON.stringify({ name, hash, python: spec.python }, null, 2)}\n`);
    outcomes.push({ name, path, status: "created", hash });
  }
  if (options.shellProfile) await addPathLines(options.shellProfile, [join(root, "common", "bin"), "$HOME/.local/bin"], progress);
  return outcomes;
}

/** The uv commands for one environment, in order. */
export function planSteps(name: string, spec: EnvironmentsConfig["environments"][string], path: string, repoPath: string) {
  const steps: Array<{ label: string; args: string[]; env?: Record<string, string> }> = [
    { label: `python ${spec.python}`, args: ["python", "install", spec.python] },
    { label: "venv", args: ["venv", "--allow-existing", "--python", spec.python, path] },
  ];
  if (spec.project) {
    const extras = spec.extras.flatMap((extra) => ["--extra", extra]);
    steps.push({
      label: `sync ${spec.project}${spec.extras.length ? ` [${spec.extras.join(",")}]` : ""}`,
      args: ["sync", "--project", resolve(repoPath, spec.project), "--locked", ...extras],
      env: { UV_PROJECT_ENVIRONMENT: path },
    });
  } else if (spec.requirements) {
    steps.push({
      label: `install -r ${spec.requirements}`,
      args: ["pip", "install", "--python", join(path, "bin", "python"), "-r", resolve(repoPath, spec.requirements)],
    });
  } else {
    steps.push({
      label: `install ${spec.packages.join(" ")}`,
      args: ["pip", "install", "--python", join(path, "bin", "python"), ...spec.packages],
    });
  }
  void name;
  return steps;
}

/** Which declared environments exist and match their declaration. */
export async function listEnvironments(config: EnvironmentsConfig, repoPath: string) {
  const root = resolve(repoPath, config.root);
  return Promise.all(
    Object.entries(config.environments).map(async ([name, declared]) => {
      const spec = withPython(declared, repoPath);
      const path = join(root, name);
      const stampFile = join(path, ".sweval-env.json");
      const exists = existsSync(stampFile);
      const upToDate = exists && JSON.parse(await readFile(stampFile, "utf8")).hash === (await hashEnvironment(spec, repoPath));
      return { name, purpose: spec.purpose, path, exists, upToDate };
    }),
  );
}

// --- internal ---

/** The version V4 (v202508) pins, for a checkout whose pyproject.toml says none. */
const FALLBACK_PYTHON = "3.10.14";

/** The declaration with `python: checkout` replaced by the checkout's pin, as `uv run --locked` there would need. */
function withPython(
  spec: EnvironmentsConfig["environments"][string],
  repoPath: string,
  progress: (message: string) => void = () => {},
  name = "",
): EnvironmentsConfig["environments"][string] {
  if (spec.python !== "checkout") return spec;
  const pyproject = join(repoPath, "pyproject.toml");
  const text = existsSync(pyproject) ? readFileSync(pyproject, "utf8") : "";
  const pinned = /^\s*requires-python\s*=\s*["']==\s*([\d.]+)["']/m.exec(text)?.[1];
  if (!pinned && name) progress(`${name}: ${pyproject} pins no requires-python; using ${FALLBACK_PYTHON}`);
  return { ...spec, python: pinned ?? FALLBACK_PYTHON };
}

async function hashEnvironment(spec: EnvironmentsConfig["environments"][string], repoPath: string): Promise<string> {
  const hash = createHash("sha256").update(JSON.stringify(spec));
  const locks = spec.project
    ? [join(resolve(repoPath, spec.project), "uv.lock"), join(resolve(repoPath, spec.project), "pyproject.toml")]
    : spec.requirements
      ? [resolve(repoPath, spec.requirements)]
      : [];
  for (const lock of locks) hash.update(existsSync(lock) ? await readFile(lock) : `missing:${lock}`);
  return hash.digest("hex").slice(0, 16);
}

async function ensureUv(run: Runner, cwd: string, env: NodeJS.ProcessEnv) {
  const probe = await run("uv", ["--version"], { cwd, env }).catch(() => ({ exitCode: 127, stderr: "" }));
  if (probe.exitCode !== 0) {
    throw new WorkError("uv is not installed (or not on PATH)", {
      code: "E_NO_UV",
      hint: 'install it with: curl -LsSf https://astral.sh/uv/install.sh | sh   (then: export PATH="$HOME/.local/bin:$PATH")',
    });
  }
}

async function addPathLines(profile: string, dirs: string[], progress: (message: string) => void) {
  const file = profile.startsWith("~/") ? join(homedir(), profile.slice(2)) : profile;
  const existing = existsSync(file) ? (await readFile(file, "utf8")).split("\n") : [];
  const lines = dirs.map((dir) => `export PATH="${dir}:$PATH"`).filter((line) => !existing.includes(line));
  if (lines.length === 0) {
    progress(`${file}: PATH lines already present`);
    return;
  }
  await mkdir(resolve(file, ".."), { recursive: true });
  await appendFile(file, `${existing.length && existing.at(-1) !== "" ? "\n" : ""}${lines.join("\n")}\n`);
  progress(`${file}: added ${lines.length} PATH line(s)`);
}

const runWithExeca: Runner = async (file, args, options) => {
  const { execa } = await import("execa");
  try {
    const result = await execa(file, args, { cwd: options.cwd, env: options.env, reject: false, stdout: "pipe", stderr: "pipe" });
    return { exitCode: result.exitCode ?? 1, stderr: String(result.stderr ?? "") };
  } catch (error) {
    return { exitCode: 127, stderr: (error as Error).message };
  }
};
