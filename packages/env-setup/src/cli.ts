import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { addHelpFooter, ExitCode, type Io, processIo, readPackageVersion, renderJson, runCli } from "@sweval/core";
import { Command } from "commander";

/** `sweval-env`: check .env, build the tool environments, print the resolved environment. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = new Command("sweval-env")
    .version(readPackageVersion(import.meta.url), "-V, --version", "print the version")
    .description("Check .env and build the tool environments (replaces setup_t4_uv_envs.sh)");
  const envFileOption = ["--env-file <file>", ".env to read (default: $SWEVAL_ENV_FILE or ./.env)"] as const;

  for (const name of ["check", "doctor"]) {
    program
      .command(name)
      .description(name === "check" ? "report every problem in .env at once (exit 1 if any)" : "same as check")
      .option(...envFileOption)
      .option("--template <file>", ".env_template to compare with (default: ./.env_template, else the embedded one)")
      .option("-c, --cluster <name>", "apply this cluster profile's storage rule to cache paths (tsubame4: /gs/bs/)")
      .option("--json", "print the problems as JSON")
      .action(async (flags: { envFile?: string; template?: string; cluster?: string; json?: boolean }) => {
        const { checkEnv, renderProblems } = await import("./index.js");
        const storageRule = flags.cluster ? await storageRuleOf(flags.cluster, io.cwd) : null;
        const result = checkEnv({ file: flags.envFile, template: flags.template, storageRule, cwd: io.cwd, env: io.env });
        if (flags.json) io.stdout.write(renderJson({ file: result.file, template: result.template, problems: result.problems }));
        else if (result.problems.length > 0) io.stdout.write(renderProblems(result.problems));
        io.stderr.write(
          `sweval-env: ${result.problems.length === 0 ? "✅ .env looks right" : `${result.problems.length} problem(s) in ${result.file}`}\n`,
        );
        exitCode = result.problems.length === 0 ? ExitCode.ok : ExitCode.workFailed;
      });
  }

  program
    .command("create")
    .description("build the environments declared in conf/environments.yaml with uv (skips unchanged ones)")
    .option(...envFileOption)
    .option("--environments <file>", "environments declaration (default: ./conf/environments.yaml, else the embedded one)")
    .option("--only <names>", "comma-separated environment names")
    .option("--force", "rebuild even if nothing changed")
    .option("--update-shell-profile [file]", "append PATH lines to a shell profile (default ~/.bashrc), never twice")
    .option("--json", "print the outcome as JSON")
    .action(
      async (flags: {
        envFile?: string;
        environments?: string;
        only?: string;
        force?: boolean;
        updateShellProfile?: string | boolean;
        json?: boolean;
      }) => {
        const { createEnvironments, embeddedEnvironments, loadEnv, readEnvironments } = await import("./index.js");
        const loaded = loadEnv({ file: flags.envFile, cwd: io.cwd, env: io.env });
        const repoPath = resolve(io.cwd, loaded.values.REPO_PATH ?? ".");
        const file = flags.environments
          ? resolve(io.cwd, flags.environments)
          : existsSync(join(io.cwd, "conf/environments.yaml"))
            ? join(io.cwd, "conf/environments.yaml")
            : embeddedEnvironments;
        const uvEnv: NodeJS.ProcessEnv = { ...io.env, ...(loaded.values.UV_CACHE ? { UV_CACHE_DIR: loaded.values.UV_CACHE } : {}) };
        const outcomes = await createEnvironments({
          config: readEnvironments(file),
          repoPath,
          only: flags.only?.split(",").filter(Boolean),
          force: flags.force,
          shellProfile: flags.updateShellProfile === true ? "~/.bashrc" : flags.updateShellProfile || null,
          env: uvEnv,
          progress: (message) => io.stderr.write(`sweval-env: ${message}\n`),
        });
        if (flags.json) io.stdout.write(renderJson({ environments: outcomes }));
        else io.stdout.write("✅ Environment was successfully created!\n");
      },
    );

  program
    .command("print")
    .description("print the resolved, non-secret environment (paths, caches, environments) for other tools")
    .option(...envFileOption)
    .option("--json", "JSON (the default and only format)", true)
    .action(async (flags: { envFile?: string }) => {
      const { buildEnvReport } = await import("./index.js");
      io.stdout.write(renderJson(await buildEnvReport({ file: flags.envFile, cwd: io.cwd, env: io.env })));
    });

  addHelpFooter(program, {
    examples: ["sweval-env check --cluster tsubame4", "sweval-env create", "sweval-env print"],

    env: ["SWEVAL_ENV_FILE"],
  });

  const code = await runCli("sweval-env", program, argv, io);
  return code === ExitCode.ok ? exitCode : code;
}

async function storageRuleOf(cluster: string, cwd: string): Promise<string | null> {
  const { readClusterProfile } = await import("@sweval/clusters");
  return (await readClusterProfile(cluster, cwd)).profile.storageRule ?? null;
}
