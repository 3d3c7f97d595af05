import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError, parseDocument, parseJsonText, readTextInput, writeFileAtomic } from "@sweval/core";
import { COMPLETION_LINE } from "@sweval/job-renderer/schema";
import { PLAN_KIND, PLAN_VERSION, type Plan, PlanSchema, type PlanTask, runPaths } from "@sweval/settings-resolver/schema";
import { lightevalArgs, renderModelConfig, servingKey, toolCommand, vllmEnvironment, vllmServeArgs } from "./commands.js";
import { diagnose, renderFindings } from "./doctor.js";
import { freePort, waitForHealth } from "./health.js";
import { type GroupChild, spawnGroup, stopGroup } from "./process-group.js";

export { COMPLETION_LINE };

/** Exit codes of `sweval-run`: which step failed. */
export const RunExit = { ok: 0, failed: 1, badInput: 2, server: 3, lighteval: 4, aggregation: 5 } as const;

export interface RunJobOptions {
  planPath: string;
  taskKeys: string[];
  env: NodeJS.ProcessEnv;
  /** Simulated vLLM and lighteval; outputs go under results/rehearsal/ with the model marked. @default false */
  rehearse?: boolean;
  /** Deadline for /health. @default $SWEVAL_HEALTH_TIMEOUT seconds, else 3600 s */
  healthTimeoutMs?: number;
  out: (line: string) => void;
  err: (line: string) => void;
}

const rehearsalTool = (name: string) => [process.execPath, fileURLToPath(new URL(`./rehearse/${name}.js`, import.meta.url))];

/**
 * The job: for each group of tasks that serve the model the same way, start one vLLM server (in its own
 * process group), wait for /health, run lighteval per task, aggregate, print the completion line; stop the
 * server group on every way out, signals included. Returns the exit code.
 */
export async function runJob(options: RunJobOptions): Promise<number> {
  const { out, err, env } = options;
  const plan = await readPlan(options.planPath);
  const tasks = options.taskKeys.map((key) => {
    const task = plan.tasks.find((t) => t.key === key);
    if (!task)
      throw new InputError(`task ${key} is not in the plan (it has ${plan.tasks.map((t) => t.key).join(", ")})`, {
        code: "E_UNKNOWN_TASK",
        file: options.planPath,
        field: "--task",
      });
    return task;
  });
  const repo = plan.paths.repoPath;
  const rehearse = Boolean(options.rehearse);
  const { litellmModel: litellm, resultsDir, rawResultsDir } = runPaths(plan, { rehearse });
  const jobId = env.JOB_ID || env.SLURM_JOB_ID || env.PBS_JOBID || String(process.pid);
  const vllmCommand = rehearse ? rehearsalTool("server") : toolCommand("vllm", plan, env, repo);
  const lightevalCommand = rehearse ? rehearsalTool("lighteval") : toolCommand("lighteval", plan, env, repo);
  const needsServer = plan.provider === "vllm" || rehearse;
  if (rehearse) out(`[REHEARSAL] simulated vLLM and lighteval; outputs under ${resultsDir} and ${rawResultsDir}, model marked ${litellm}`);

  let server: GroupChild | null = null;
  let current: GroupChild | null = null;
  const stopAll = async () => {
    if (current) await stopGroup(current);
    if (server) await stopGroup(server);
    server = null;
    current = null;
  };
  const signals: NodeJS.Signals[] = ["SIGTERM", "SIGINT", "SIGUSR1", "SIGUSR2", "SIGHUP"];
  let signalled: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    signalled = signal;
    err(`sweval-run: received ${signal}; stopping the server and lighteval`);
    void stopAll().then(() =>
      process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGHUP" ? 1 : signal === "SIGUSR1" ? 10 : signal === "SIGUSR2" ? 12 : 15)),
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
  try {
    const groups = groupByServing(plan, tasks);
    for (const group of groups) {
      const head = group[0] as PlanTask;
      let baseUrl = plan.apiBase;
      if (needsServer) {
        // A rehearsal makes the same job-start checks, against a small model it lays out in the Hugging Face cache.
        const prepared = await prepareServing(plan, head, rehearse ? { ...env, HF_HOME: rehearsalModelCache(plan) } : env, err);
        if (typeof prepared === "number") return prepared;
        const port = await freePort();
        const gpus = env.CUDA_VISIBLE_DEVICES ? env.CUDA_VISIBLE_DEVICES.split(",").filter(Boolean).length : plan.nodeKind.gpus;
        const argv = [...vllmCommand, ...vllmServeArgs(plan, prepared, port, gpus)];
        mkdirSync(head.logDir, { recursive: true });
        const logFile = join(head.logDir, `${head.key}.vllm${jobId}`);
        out(`🚀 starting vLLM: ${argv.join(" ")} (log ${logFile})`);
        server = spawnGroup(argv, { cwd: repo, env: { ...withoutVllmUseV1(env), ...vllmEnvironment(plan, head, env) }, logFile });
        const health = await waitForHealth({
          url: `http://127.0.0.1:${port}/health`,
          server,
          deadlineMs: options.healthTimeoutMs ?? Number(env.SWEVAL_HEALTH_TIMEOUT ?? 3600) * 1000,
        });
        if (!health.ok) {
          err(
            `❌ vLLM ${health.reason === "died" ? "exited during startup" : "did not become healthy"} (${health.detail}); last lines of ${logFile}:`,
          );
          err(tail(logFile, 20));
          err(renderFindings(diagnose(logFile)).trimEnd());
          return RunExit.server;
        }
        out(`✅ vLLM server is ready on port ${port} (took ${health.seconds}s)`);
        baseUrl = `http://localhost:${port}/v1`;
      }
      for (const task of group) {
        const configPath = `${rawResultsDir}/model_config_${task.lightevalTask}.yaml`;
        await writeFileAtomic(
          configPath,
          renderModelConfig({ modelName: litellm, baseUrl, lightevalParser: task.parserRouting.lightevalParser, task }),
        );
        const argv = [...lightevalCommand, ...lightevalArgs(plan, task, configPath, plan.paths.rawOutputDir)];
        const cwd = existsSync(join(repo, "lighteval")) ? join(repo, "lighteval") : repo;
        out(`🧪 ${task.key}: ${argv.join(" ")}`);
        const started = Date.now();
        current = spawnGroup(argv, {
          cwd,
          env: { ...withoutVllmUseV1(env), LITELLM_LOG_LEVEL: "WARNING", ...vllmEnvironment(plan, task, env) },
          inheritStdio: true,
        });
        const { code, signal } = await current.exited;
        current = null;
        out(`⌚️ Elapsed time: ${Math.round((Date.now() - started) / 1000)} seconds`);
        if (signalled) return 128 + 15;
        if (code !== 0) {
          err(`❌ lighteval failed for ${task.key} (${code === null ? `signal ${signal}` : `exit ${code}`})`);
          return RunExit.lighteval;
        }
        const aggregated = await aggregateModel({ plan, litellm, rawResultsDir, resultsDir, err });
        if (!aggregated) return RunExit.aggregation;
        out(COMPLETION_LINE);
        if (plan.copyDetails && !rehearse) {
          const { copyTaskDetails } = await import("./copy-details.js");
          try {
            const copied = copyTaskDetails({
              rawDetailsDir: runPaths(plan).rawDetailsDir,
              detailsRoot: `${plan.paths.rawOutputDir}/details`,
              taskDef: task.taskDef,
              dir: plan.copyDetails.dir,
            });
            out(`📤 copied ${copied.length} details file(s) of ${task.key} to ${plan.copyDetails.dir}`);
          } catch (error) {
            err(`❌ copying the details to ${plan.copyDetails.dir} failed: ${(error as Error).message}`);
            return RunExit.failed;
          }
        }
      }
      if (server) {
        await stopGroup(server);
        server = null;
        out("✅ VLLM server is stopped.");
      }
    }
    return RunExit.ok;
  } finally {
    await stopAll();
    for (const signal of signals) process.off(signal, onSignal);
  }
}

/** Tasks in order, grouped where one server can serve them (same model, length, parser). */
export function groupByServing(plan: Plan, tasks: PlanTask[]): PlanTask[][] {
  const groups: PlanTask[][] = [];
  for (const task of tasks) {
    const last = groups.at(-1);
    if (last && servingKey(plan, last[0] as PlanTask) === servingKey(plan, task)) last.push(task);
    else groups.push([task]);
  }
  return groups;
}

async function readPlan(file: string): Promise<Plan> {
  const text = await readTextInput(file, "plan");
  return parseDocument(
    PlanSchema,
    parseJsonText(text, file),
    { kind: PLAN_KIND, version: PLAN_VERSION },
    file,
    "re-render the jobs with this sweval",
  );
}

/** Fills in what the plan deferred to job start: max model length, and the think-tag check of §4.4. */
async function prepareServing(plan: Plan, task: PlanTask, env: NodeJS.ProcessEnv, err: (line: string) => void): Promise<PlanTask | number> {
  if (task.maxModelLength.value !== null && !task.parserRouting.checkAtJobStart) return task;
  const { decideParser, detectModelMetadata } = await import("@sweval/settings-resolver");
  const metadata = await detectModelMetadata({
    modelId: plan.model.id,
    modelPath: plan.model.path,
    env,
    offline: env.HF_HUB_OFFLINE === "1",
  });
  let prepared = task;
  // As the legacy job: without the model's files there is no safe length (vLLM would take the full context) and no
  // think-tag check, so the job stops before vLLM starts, saying where it looked.
  const unknown = [
    task.maxModelLength.value === null && metadata.maxModelLength.value === null ? "its max model length" : null,
    task.parserRouting.checkAtJobStart && typeof metadata.hasThinkTag.value !== "boolean" ? "whether its tokenizer has a think tag" : null,
  ].filter(Boolean);
  if (unknown.length > 0) {
    err(`❌ cannot read ${plan.model.id}'s config and tokenizer to know ${unknown.join(" and ")}: ${metadata.notes.join("; ")}`);
    err(
      "❌ download the model into the Hugging Face cache before the job (hf download <model> --cache-dir $HUGGINGFACE_CACHE), or set max_model_length and reasoning_parser in its custom settings",
    );
    return RunExit.failed;
  }
  if (task.maxModelLength.value === null) {
    err(`🤖 Auto-detected max model length: ${metadata.maxModelLength.value}`);
    prepared = { ...prepared, maxModelLength: metadata.maxModelLength };
  }
  if (task.parserRouting.checkAtJobStart) {
    try {
      decideParser({
        parser: task.parserRouting.parser,
        hasThinkTag: typeof metadata.hasThinkTag.value === "boolean" ? metadata.hasThinkTag.value : null,
        provider: plan.provider,
      });
    } catch (error) {
      err(`❌ ${(error as Error).message}`);
      return RunExit.badInput;
    }
  }
  return prepared;
}

async function aggregateModel(options: {
  plan: Plan;
  litellm: string;
  rawResultsDir: string;
  resultsDir: string;
  err: (line: string) => void;
}): Promise<boolean> {
  try {
    const { aggregateToFile, readAggregateConf } = await import("@sweval/aggregator");
    const custom = options.plan.customSettings;
    const result = await aggregateToFile({
      modelName: options.litellm,
      rawResultsDir: options.rawResultsDir,
      outDir: options.resultsDir,
      conf: readAggregateConf(options.plan.aggregateConf, options.plan.paths.repoPath),
      customSettings: custom ? { path: custom.path, name: custom.name, version: custom.version } : undefined,
    });
    for (const message of result.messages) options.err(message);
    return true;
  } catch (error) {
    options.err(`❌ aggregation failed: ${(error as Error).message}`);
    return false;
  }
}

/**
 * A model directory in the Hugging Face cache layout (refs/main → snapshots/<rev>) under the rehearsal's own
 * results, with the files the job-start check reads: a 128k context (so the 32768 cap applies) and a tokenizer that
 * has think tags exactly when the plan sets a reasoning parser, as a reasoning model's does.
 */
function rehearsalModelCache(plan: Plan): string {
  const root = join(runPaths(plan, { rehearse: true }).resultsDir, ".hf-cache");
  const folder = join(root, "hub", `models--${plan.model.id.replaceAll("/", "--")}`);
  const revision = "0000000000000000000000000000000000000000";
  const snapshot = join(folder, "snapshots", revision);
  mkdirSync(snapshot, { recursive: true });
  mkdirSync(join(folder, "refs"), { recursive: true });
  // The model's jobs run at once and read what another is writing: each file appears whole (written, then renamed).
  const put = (file: string, text: string) => {
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  };
  put(join(folder, "refs", "main"), revision);
  put(join(snapshot, "config.json"), `${JSON.stringify({ rehearsal: true, max_position_embeddings: 131072 })}\n`);
  const parser = plan.tasks.some((task) => task.parserRouting.parser && task.parserRouting.parser !== "ignore");
  const thinks = parser
    ? [
        { id: 1, content: "<think>" },
        { id: 2, content: "</think>" },
      ]
    : [];
  put(join(snapshot, "tokenizer.json"), `${JSON.stringify({ added_tokens: thinks, model: { vocab: { rehearsal: 0 } } })}\n`);
  return root;
}

/** The environment's own VLLM_USE_V1 (a login shell's) must not reach a vLLM that the plan says does not read it. */
function withoutVllmUseV1(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { VLLM_USE_V1: _ignored, ...rest } = env;
  return rest;
}

function tail(file: string, count: number): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-count).join("\n");
  } catch {
    return "(no log)";
  }
}
