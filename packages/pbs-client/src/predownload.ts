import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { commandFromVariable, findOnPath, InputError, WorkError } from "@sweval/core";
import type { JobsManifest } from "@sweval/job-renderer/schema";
import { jobsDotenv } from "./dotenv.js";

export interface PredownloadOptions {
  manifest: JobsManifest;
  /** --predownload (true) / --no-predownload (false); undefined: as each cluster profile says. */
  choice: boolean | undefined;
  dryRun: boolean;
  env: NodeJS.ProcessEnv;
  log: (message: string) => void;
  /** Where the download's own progress goes (hf prints bars on stderr). */
  progress: NodeJS.WritableStream;
}

/**
 * The legacy qsub_all.sh's pre-download, on the login node before anything is submitted: each vLLM model once,
 * with `hf download <model> --cache-dir $HUGGINGFACE_CACHE`, HF_TOKEN from the checkout's .env in the
 * environment (never on the command line, where `ps` shows it). A failed download submits nothing (exit 1).
 */
export async function predownload(options: PredownloadOptions): Promise<void> {
  const wanted = (options.manifest.downloads ?? []).filter((d) => options.choice ?? d.byDefault);
  for (const download of wanted) {
    const env = await downloadEnvironment(download.repoPath, options.env);
    const command = hfCommand(download.repoPath, env);
    const args = ["download", download.model, ...(env.HUGGINGFACE_CACHE ? ["--cache-dir", env.HUGGINGFACE_CACHE] : [])];
    options.log(`${options.dryRun ? "would download" : "downloading"} ${download.model} on this node: ${[...command, ...args].join(" ")}`);
    if (options.dryRun) continue;
    const code = await run(command, args, env, options.progress);
    if (code !== 0)
      throw new WorkError(`hf download ${download.model} failed (exit ${code}); nothing was submitted`, {
        code: "E_PREDOWNLOAD",
        hint: "check HF_TOKEN (gated models) and the network, or submit with --no-predownload to let each job download",
      });
  }
}

// --- internal ---

/**
 * The process environment, then the .env the jobs will read ($SWEVAL_ENV_FILE, else the checkout's; the environment
 * wins), with the legacy's HF cache variables.
 */
async function downloadEnvironment(repoPath: string, env: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  const { values } = await jobsDotenv(repoPath, env);
  const merged: NodeJS.ProcessEnv = { ...env };
  for (const key of ["HF_TOKEN", "HUGGINGFACE_CACHE", "HF_ENDPOINT"] as const) {
    const value = env[key] ?? values[key];
    if (value) merged[key] = value;
  }
  if (merged.HUGGINGFACE_CACHE) {
    merged.HF_HOME = merged.HUGGINGFACE_CACHE;
    merged.HUGGINGFACE_HUB_CACHE = merged.HUGGINGFACE_CACHE;
  }
  return merged;
}

/** SWEVAL_HF_CMD, the `common` environment sweval-env builds, the legacy .common_envs, else hf on PATH. */
function hfCommand(repoPath: string, env: NodeJS.ProcessEnv): string[] {
  if (env.SWEVAL_HF_CMD) return commandFromVariable("SWEVAL_HF_CMD", env.SWEVAL_HF_CMD, '["/opt/venv/bin/hf"]');
  const installed = [join(repoPath, ".sweval/envs/common/bin/hf"), join(repoPath, ".common_envs/bin/hf")].find((file) => existsSync(file));
  if (installed) return [installed];
  const onPath = findOnPath("hf", env);
  if (onPath) return [onPath];
  throw new InputError("no hf command to pre-download the model with", {
    code: "E_PREDOWNLOAD",
    hint: "run `sweval-env create --only common` (huggingface_hub[cli]), set SWEVAL_HF_CMD, or submit with --no-predownload",
  });
}

function run(command: string[], args: string[], env: NodeJS.ProcessEnv, progress: NodeJS.WritableStream): Promise<number> {
  return new Promise((resolve) => {
    const [file = "hf", ...rest] = command;
    const child = spawn(file, [...rest, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.pipe(progress, { end: false });
    child.stderr.pipe(progress, { end: false });
    child.on("error", () => resolve(127));
    child.on("close", (code) => resolve(code ?? 1));
  });
}
