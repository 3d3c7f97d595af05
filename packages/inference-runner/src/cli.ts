import { join, resolve } from "node:path";
import { addHelpFooter, ExitCode, InputError, type Io, processIo, readPackageVersion, renderJson, runCli } from "@sweval/core";
import { Command, Option } from "commander";

/** `sweval-run`: the job (`--plan --task`), and the `probe` and `doctor` tools. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = new Command("sweval-run")
    .version(readPackageVersion(import.meta.url), "-V, --version", "print the version")
    .description("Run evaluation tasks of a plan: serve the model with vLLM, run lighteval, aggregate (what each job script runs)")
    .option("--plan <file>", "the plan file the renderer saved next to the job scripts")
    .option(
      "--task <key>",
      "a task key of the plan (repeat to run several on one server)",
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option(
      "--rehearse",
      "simulated vLLM and lighteval: check a cluster, profile or task list without GPUs; outputs are marked as rehearsal",
    )
    .option("--health-timeout <seconds>", "how long to wait for vLLM's /health (default $SWEVAL_HEALTH_TIMEOUT or 3600)", (v: string) =>
      Number(v),
    )
    .action(async (flags: { plan?: string; task: string[]; rehearse?: boolean; healthTimeout?: number }) => {
      if (!flags.plan || flags.task.length === 0)
        throw new InputError("pass --plan <plan.json> and at least one --task <key>", { code: "E_USAGE" });
      const { runJob } = await import("./run-job.js");
      exitCode = await runJob({
        planPath: resolve(io.cwd, flags.plan),
        taskKeys: flags.task,
        env: io.env,
        rehearse: flags.rehearse || io.env.SWEVAL_REHEARSE === "1",
        healthTimeoutMs: flags.healthTimeout ? flags.healthTimeout * 1000 : undefined,
        out: (line) => io.stdout.write(`${line}\n`),
        err: (line) => io.stderr.write(`${line}\n`),
      });
    });

  program
    .command("probe")
    .description("send a small chat request to an endpoint: does it answer, latency, the largest n it accepts")
    .addOption(new Option("-p, --provider <name>").choices(["vllm", "openai", "deepinfra", "openrouter"]).makeOptionMandatory())
    .requiredOption("-m, --model <id>", "model id as the resolver takes it")
    .option("--base-url <url>", "the endpoint (needed for vllm)")
    .option("--n <n>", "the n to try first", (v: string) => Number(v), 5)
    .option("--max-n <n>", "the largest n to look for", (v: string) => Number(v), 128)
    .option("--write [file]", "record the result for the resolver (default conf/provider_limits.json)")
    .option("--json", "print the result as JSON")
    .action(
      async (flags: {
        provider: "vllm" | "openai" | "deepinfra" | "openrouter";
        model: string;
        baseUrl?: string;
        n: number;
        maxN: number;
        write?: string | boolean;
        json?: boolean;
      }) => {
        const { probeEndpoint, writeProviderLimits } = await import("./probe.js");
        const result = await probeEndpoint({
          provider: flags.provider,
          model: flags.model,
          baseUrl: flags.baseUrl,
          n: flags.n,
          maxN: flags.maxN,
          env: io.env,
        });
        if (flags.write && result.answered) {
          const file = resolve(io.cwd, typeof flags.write === "string" ? flags.write : join("conf", "provider_limits.json"));
          await writeProviderLimits(file, result);
          io.stderr.write(`sweval-run: recorded max_n ${result.maxN} for ${flags.provider}/${flags.model} in ${file}\n`);
        }
        io.stdout.write(
          flags.json
            ? renderJson(result)
            : `${result.answered ? "answers" : "does NOT answer"}: ${result.baseUrl}; largest n accepted ${result.maxN}; median latency ${result.latencyMs} ms\n`,
        );
        if (!result.answered) exitCode = ExitCode.workFailed;
      },
    );

  program
    .command("doctor")
    .description("read a job's vLLM and lighteval logs and name the known failure modes, with the manual's advice")
    .argument("<path>", "a job's log directory, or one log file")
    .option("--json", "print the findings as JSON")
    .action(async (path: string, flags: { json?: boolean }) => {
      const { diagnose, renderFindings } = await import("./doctor.js");
      const findings = diagnose(resolve(io.cwd, path));
      io.stdout.write(flags.json ? renderJson({ kind: "sweval/doctor", version: 1, findings }) : renderFindings(findings));
    });

  addHelpFooter(program, {
    examples: [
      "sweval-run --plan jobs/<model>/plan.json --task ja_gpqa --rehearse",
      "sweval-run doctor results/<model>/ja/gpqa/ja_gpqa.o123",
    ],

    env: [
      "SWEVAL_VLLM_CMD",
      "SWEVAL_LIGHTEVAL_CMD",
      "SWEVAL_HEALTH_TIMEOUT",
      "SWEVAL_STOP_GRACE_MS",
      "SWEVAL_REHEARSE",
      "SWEVAL_REHEARSE_VLLM_MODE",
      "SWEVAL_REHEARSE_VLLM_DELAY_MS",
      "SWEVAL_REHEARSE_VLLM_MAX_N",
      "SWEVAL_REHEARSE_VLLM_VERSION",
      "SWEVAL_REHEARSE_LIGHTEVAL_MODE",
    ],

    otherEnv: {
      HF_HOME: "the Hugging Face cache the model is read from (HUGGINGFACE_CACHE in .env sets it)",
      HF_TOKEN: "the Hugging Face token (from .env; never printed)",
      CUDA_VISIBLE_DEVICES: "the GPUs vLLM gets",
    },
  });

  const code = await runCli("sweval-run", program, argv, io);
  return code === ExitCode.ok ? exitCode : code;
}
