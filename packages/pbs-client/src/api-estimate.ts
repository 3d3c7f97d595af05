// What a manifest's API calls will cost: the evaluated model's calls where it is served by a provider (OpenAI,
// DeepInfra, OpenRouter) and the MT-Bench judge's calls for every model. Tokens are estimated from the documents a
// task evaluates × its samples × turns × max_new_tokens (an upper bound on the output), priced from the file the team
// keeps; every number says what it rests on.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatIssues, InputError, readTextInput } from "@sweval/core";
import type { JobsManifest } from "@sweval/job-renderer/schema";
import type { Plan } from "@sweval/settings-resolver/schema";
import { z } from "zod";

const PriceSchema = z.object({
  input: z.number().nonnegative().describe("per million input tokens"),
  output: z.number().nonnegative().describe("per million output tokens"),
  asOf: z.string(),
  confirmed: z.boolean(),
});
export const PricesSchema = z.object({ currency: z.string(), models: z.record(z.string(), PriceSchema) });
export type Prices = z.infer<typeof PricesSchema>;

const TaskSamplesEntrySchema = z.object({
  documents: z.number().int().positive(),
  samples: z.number().int().positive().default(1),
  turns: z.number().int().positive().default(1),
  promptTokens: z.number().int().nonnegative(),
  confirmed: z.boolean(),
  judge: z
    .object({
      model: z.string(),
      callsPerSample: z.number().int().positive(),
      inputTokens: z.number().int().nonnegative(),
      outputTokens: z.number().int().nonnegative(),
    })
    .optional(),
});
export const TaskSamplesSchema = z.object({
  defaultMaxNewTokens: z.number().int().positive().describe("when neither the settings nor the model's length say"),
  tasks: z.record(z.string(), TaskSamplesEntrySchema),
});
export type TaskSamples = z.infer<typeof TaskSamplesSchema>;

export const ApiCallsSchema = z.object({
  job: z.string(),
  task: z.string(),
  role: z.enum(["model", "judge"]),
  model: z.string(),
  calls: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  cost: z.number().nullable().describe("null: the model has no price in the prices file"),
  inputs: z
    .object({
      documents: z.number().int(),
      samples: z.number().int(),
      turns: z.number().int(),
      maxNewTokens: z.number().int().nullable(),
      maxNewTokensFrom: z.enum(["settings", "max_model_length", "default"]).nullable(),
      confirmed: z.boolean(),
    })
    .describe("what the numbers rest on: an estimate, not a bill"),
});

export const ApiEstimateSchema = z.object({
  currency: z.string(),
  calls: z.array(ApiCallsSchema),
  total: z.object({ calls: z.number().int(), inputTokens: z.number().int(), outputTokens: z.number().int(), cost: z.number() }),
  unpriced: z.array(z.string()).describe("models without a price: their calls are not in the total cost"),
  unknownTasks: z.array(z.string()).describe("tasks the samples file does not know: not estimated"),
  sources: z.object({ prices: z.string(), samples: z.string() }),
});
export type ApiEstimate = z.infer<typeof ApiEstimateSchema>;

export interface CostData {
  prices: Prices;
  samples: TaskSamples;
  sources: { prices: string; samples: string };
}

const embedded = (name: string) => fileURLToPath(new URL(`../defaults/conf/costs/${name}`, import.meta.url));

/**
 * The prices and task sizes: --prices / $SWEVAL_PRICES, else the project's conf/costs/prices.yaml ($REPO_PATH or the
 * working directory), else the copy shipped with sweval; the same for task-samples.yaml ($SWEVAL_TASK_SAMPLES).
 */
export async function readCostData(options: { prices?: string | null; env: NodeJS.ProcessEnv; cwd: string }): Promise<CostData> {
  const project = join(options.env.REPO_PATH || options.cwd, "conf/costs");
  const pick = (explicit: string | null | undefined, name: string) =>
    explicit || (existsSync(join(project, name)) ? join(project, name) : embedded(name));
  const pricesFile = pick(options.prices || options.env.SWEVAL_PRICES, "prices.yaml");
  const samplesFile = pick(options.env.SWEVAL_TASK_SAMPLES, "task-samples.yaml");
  return {
    prices: await readYaml(pricesFile, PricesSchema, "prices file"),
    samples: await readYaml(samplesFile, TaskSamplesSchema, "task samples file"),
    sources: { prices: pricesFile, samples: samplesFile },
  };
}

/** The API calls of every job whose model is served by a provider, and of every MT-Bench judge. */
export function estimateApi(manifest: JobsManifest, plans: Map<string, Plan>, data: CostData): ApiEstimate {
  const calls: ApiEstimate["calls"] = [];
  const unknownTasks = new Set<string>();
  for (const job of manifest.jobs) {
    const plan = plans.get(job.planPath);
    if (!plan) continue;
    for (const key of job.tasks) {
      const task = plan.tasks.find((candidate) => candidate.key === key);
      if (!task) continue;
      const size = data.samples.tasks[task.lightevalTask];
      if (!size) {
        if (plan.provider !== "vllm") unknownTasks.add(task.lightevalTask);
        continue;
      }
      const base = { documents: size.documents, samples: size.samples, turns: size.turns, confirmed: size.confirmed };
      if (plan.provider !== "vllm") {
        const { maxNewTokens, from } = maxNewTokensOf(task, data.samples.defaultMaxNewTokens);
        const requests = size.documents * size.turns;
        calls.push(
          priced(data.prices, {
            job: job.id,
            task: key,
            role: "model",
            model: job.litellmModel,
            calls: requests,
            inputTokens: requests * size.promptTokens,
            outputTokens: requests * size.samples * maxNewTokens,
            inputs: { ...base, maxNewTokens, maxNewTokensFrom: from },
          }),
        );
      }
      if (size.judge) {
        const judged = size.documents * size.turns * size.samples * size.judge.callsPerSample;
        calls.push(
          priced(data.prices, {
            job: job.id,
            task: key,
            role: "judge",
            model: size.judge.model,
            calls: judged,
            inputTokens: judged * size.judge.inputTokens,
            outputTokens: judged * size.judge.outputTokens,
            inputs: { ...base, maxNewTokens: null, maxNewTokensFrom: null },
          }),
        );
      }
    }
  }
  const sum = (key: "calls" | "inputTokens" | "outputTokens") => calls.reduce((total, entry) => total + entry[key], 0);
  return {
    currency: data.prices.currency,
    calls,
    total: {
      calls: sum("calls"),
      inputTokens: sum("inputTokens"),
      outputTokens: sum("outputTokens"),
      cost: cents(calls.reduce((total, entry) => total + (entry.cost ?? 0), 0)),
    },
    unpriced: [...new Set(calls.filter((entry) => entry.cost === null).map((entry) => entry.model))],
    unknownTasks: [...unknownTasks],
    sources: data.sources,
  };
}

/**
 * The plans a manifest's jobs read (saved beside their scripts), and the paths of those that are gone (a manifest
 * rendered with --dry-run, or moved): their jobs' API calls cannot be estimated. A plan that is there but bad exits 2.
 */
export async function readManifestPlans(manifest: JobsManifest): Promise<{ plans: Map<string, Plan>; missing: string[] }> {
  const { parsePlans } = await import("@sweval/job-renderer");
  const plans = new Map<string, Plan>();
  const missing: string[] = [];
  for (const path of new Set(manifest.jobs.map((job) => job.planPath))) {
    if (!existsSync(path)) {
      missing.push(path);
      continue;
    }
    const [plan] = parsePlans(await readTextInput(path, "plan"), path);
    if (plan) plans.set(path, plan);
  }
  return { plans, missing };
}

// --- internal ---

/** A YAML file through its schema; a bad value is named by file, line and field. */
async function readYaml<T extends z.ZodType>(file: string, schema: T, what: string): Promise<z.infer<T>> {
  const { LineCounter, parseDocument } = await import("yaml");
  const lines = new LineCounter();
  const document = parseDocument(await readTextInput(file, what), { lineCounter: lines });
  const [syntax] = document.errors;
  if (syntax)
    throw new InputError(`malformed YAML: ${syntax.message.split("\n")[0]}`, { code: "E_YAML", file, line: syntax.linePos?.[0]?.line });
  const parsed = schema.safeParse(document.toJS());
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const node = issue ? (document.getIn(issue.path, true) as { range?: [number] } | undefined) : undefined;
  const line = node?.range ? lines.linePos(node.range[0]).line : undefined;
  throw new InputError(`invalid ${what}: ${formatIssues(parsed.error.issues).join("; ")}`, {
    code: "E_SCHEMA",
    file,
    line,
    field: issue?.path.join("."),
  });
}

function maxNewTokensOf(task: Plan["tasks"][number], fallback: number) {
  const set = Number(task.generation.max_new_tokens?.value);
  if (Number.isFinite(set) && set > 0) return { maxNewTokens: set, from: "settings" as const };
  const length = task.maxModelLength.value;
  if (typeof length === "number" && length > 0) return { maxNewTokens: length, from: "max_model_length" as const };
  return { maxNewTokens: fallback, from: "default" as const };
}

function priced(prices: Prices, entry: Omit<ApiEstimate["calls"][number], "cost">): ApiEstimate["calls"][number] {
  const price = prices.models[entry.model];
  const cost = price ? cents((entry.inputTokens * price.input + entry.outputTokens * price.output) / 1e6) : null;
  return { ...entry, cost };
}

function cents(value: number): number {
  return Math.round(value * 100) / 100;
}
