import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resolvePlan } from "@sweval/settings-resolver";
import { swallowCheckout, testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { modelCache, run, STAND_IN_VLLM } from "./helpers.js";

/** resolve (offline, as on a login node without the weights) into the checkout, as `sweval-resolve --root … --repo-path …`. */
async function jobIn(
  release: "v202508" | "v202604",
  model: string,
  options: { customSettings?: string | null; env?: NodeJS.ProcessEnv } = {},
) {
  const checkout = await swallowCheckout(release);
  const plan = await resolvePlan({
    model,
    customSettings: options.customSettings === undefined ? "reasoning" : options.customSettings,
    tasks: ["ja_gpqa"],
    root: checkout,
    repoPath: checkout,
    offline: true,
    env: { HOME: "/nonexistent-home", ...options.env },
  });
  const path = join(checkout, "plan.json");
  writeFileSync(path, JSON.stringify(plan));
  return { checkout, plan, path };
}

/** The argv the stand-in vLLM recorded, and its log, from the job's vLLM log. */
function vllmLog(checkout: string, model: string, custom = "reasoning") {
  const dir = join(checkout, "results/hosted_vllm", model, custom, "ja/gpqa");
  const file = readdirSync(dir).find((name) => name.includes(".vllm"));
  const text = readFileSync(join(dir, file ?? ""), "utf8");
  const argv = JSON.parse(/^ARGV (.*)$/m.exec(text)?.[1] ?? "[]") as string[];
  return { text, argv };
}

describe("a V5 (v202604) job runs as the legacy V5 job does", () => {
  it("llm-jp-4 thinking: the plugin loader and llmjp4, with the plugin folder on PYTHONPATH; no VLLM_USE_V1 for vLLM 0.18", async () => {
    const model = "llm-jp/llm-jp-4-8b-thinking";
    const { checkout, path } = await jobIn("v202604", model);
    const result = await run(["--plan", path, "--task", "ja_gpqa"], {
      HF_HOME: modelCache(await testdir(), model, { thinkTag: true }),
      VLLM_USE_V1: "1",
    });
    expect(result.stderr).not.toMatch(/❌/);
    expect(result.exitCode).toBe(0);
    const { text, argv } = vllmLog(checkout, model);
    const loader = join(checkout, "scripts/generation_settings/reasoning_parser/multi_parser_loader.py");
    expect(argv).toEqual([
      "serve",
      model,
      "--port",
      expect.stringMatching(/^\d+$/),
      "--tensor-parallel-size",
      "1",
      "--max-model-len",
      "32768",
      "--gpu-memory-utilization",
      "0.9",
      "--dtype",
      "bfloat16",
      "--reasoning-parser-plugin",
      loader,
      "--reasoning-parser",
      "llmjp4",
    ]);
    // Without the folder on PYTHONPATH the loader could not import llmjp4's helper, and vLLM would refuse the name.
    expect(text).not.toMatch(/Failed to load/);
    expect(text).not.toMatch(/Unknown vLLM environment variable/);
  }, 60_000);

  it("the stand-in refuses what vLLM 0.18 refuses: llmjp4 with no plugin, or the plugin with its folder off PYTHONPATH", async () => {
    const [node, script] = JSON.parse(STAND_IN_VLLM) as [string, string];
    // A working directory with no uv.lock: the version comes from the variable.
    const cwd = await testdir();
    const serve = (args: string[]) =>
      spawnSync(node, [script, "serve", "m", "--port", "0", ...args], {
        encoding: "utf8",
        env: { PATH: process.env.PATH, SWEVAL_REHEARSE_VLLM_VERSION: "0.18.0", SWEVAL_REHEARSE_VLLM_MODE: "die" },
        cwd,
      });
    const bare = serve(["--reasoning-parser", "llmjp4"]);
    expect([bare.status, bare.stderr.trim()]).toEqual([1, expect.stringContaining("KeyError: 'invalid reasoning parser: llmjp4")]);
    const checkout = await swallowCheckout("v202604");
    const loader = join(checkout, "scripts/generation_settings/reasoning_parser/multi_parser_loader.py");
    const offPath = serve(["--reasoning-parser-plugin", loader, "--reasoning-parser", "llmjp4"]);
    expect(offPath.status).toBe(1);
    expect(offPath.stdout).toMatch(/Failed to load .*llmjp4_reasoning_parser\.py: No module named 'llmjp4_harmony'/);
    const unknownFlag = serve(["--no-such-flag"]);
    expect([unknownFlag.status, unknownFlag.stderr]).toEqual([2, expect.stringContaining("unrecognized arguments: --no-such-flag")]);
  });

  it("TRUST_REMOTE_CODE=true reaches vllm serve --trust-remote-code; the in-job aggregation writes V5's 157 columns", async () => {
    const model = "nvidia/Nemotron-3-Nano";
    const { checkout, path } = await jobIn("v202604", model, { env: { TRUST_REMOTE_CODE: "true" } });
    const result = await run(["--plan", path, "--task", "ja_gpqa"], { HF_HOME: modelCache(await testdir(), model, { thinkTag: true }) });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(vllmLog(checkout, model).argv.slice(-3)).toEqual(["--reasoning-parser", "nemotron_v3", "--trust-remote-code"]);
    const aggregated = JSON.parse(readFileSync(join(checkout, "results/hosted_vllm", model, "reasoning/aggregated_results.json"), "utf8"));
    expect(Object.keys(aggregated.results)).toHaveLength(157);
    expect(aggregated.overall.split(",")).toHaveLength(157);
  }, 60_000);
});

describe("V5's UPLOAD_DETAILS", () => {
  it("adds --push-to-hub --results-org tokyotech-llm to lighteval, which the stand-in, like the fork, needs both of", async () => {
    const model = "org/uploaded";
    const { path } = await jobIn("v202604", model, { customSettings: null, env: { UPLOAD_DETAILS: "true" } });
    const result = await run(["--plan", path, "--task", "ja_gpqa"], { HF_HOME: modelCache(await testdir(), model) });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/🧪 ja_gpqa: .* --save-details --push-to-hub --results-org tokyotech-llm\n/);
    expect(result.stdout).toContain("would push to the private dataset tokyotech-llm/details_hosted_vllm__org__uploaded_private");
  }, 60_000);
});

describe("a V4 (v202508) job", () => {
  it("exports VLLM_USE_V1 as the integer vLLM 0.9.2 parses, and aggregates with the 107-column table", async () => {
    const model = "org/plain-model";
    const { checkout, path } = await jobIn("v202508", model, { customSettings: null });
    const result = await run(["--plan", path, "--task", "ja_gpqa"], { HF_HOME: modelCache(await testdir(), model) });
    expect(result.exitCode, result.stderr).toBe(0);
    const aggregated = JSON.parse(readFileSync(join(checkout, "results/hosted_vllm", model, "aggregated_results.json"), "utf8"));
    expect(Object.keys(aggregated.results)).toHaveLength(107);
  }, 60_000);

  it("the stand-in 0.9.2 crashes on VLLM_USE_V1=false, as the real one does with int()", () => {
    const [node, script] = JSON.parse(STAND_IN_VLLM) as [string, string];
    const crashed = spawnSync(node, [script, "serve", "m", "--port", "0"], {
      encoding: "utf8",
      env: { PATH: process.env.PATH, SWEVAL_REHEARSE_VLLM_VERSION: "0.9.2", VLLM_USE_V1: "False" },
    });
    expect([crashed.status, crashed.stderr.trim()]).toEqual([1, "ValueError: invalid literal for int() with base 10: 'False'"]);
  });
});

describe("model metadata the plan deferred is read at job start, or the job stops before vLLM", () => {
  it("stops with exit 1 and says what it could not read when the model is not in the cache", async () => {
    const model = "org/not-downloaded";
    const { checkout, path } = await jobIn("v202508", model, { customSettings: null });
    const result = await run(["--plan", path, "--task", "ja_gpqa"], { HF_HOME: await testdir() });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /❌ cannot read org\/not-downloaded's config and tokenizer to know its max model length and whether its tokenizer has a think tag/,
    );
    expect(result.stderr).toMatch(/hf download <model> --cache-dir \$HUGGINGFACE_CACHE/);
    expect(result.stdout).not.toMatch(/starting vLLM/);
    expect(existsSync(join(checkout, "lighteval/outputs/results"))).toBe(false);
  });

  it("a think tag with no parser stops the job, as the legacy check does", async () => {
    const model = "org/thinks";
    const { path } = await jobIn("v202508", model, { customSettings: null });
    const result = await run(["--plan", path, "--task", "ja_gpqa"], { HF_HOME: modelCache(await testdir(), model, { thinkTag: true }) });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/❌ field "reasoning_parser": the tokenizer knows <think>\/<\/think> but no reasoning_parser is set/);
    expect(result.stdout).not.toMatch(/starting vLLM/);
  });
});

describe("V5's COPY_DETAILS (ABCI)", () => {
  it("copies the job's own task details, newest run, group-writable, under the same path below details/", async () => {
    const model = "org/copied";
    const checkout = await swallowCheckout("v202604");
    const share = await testdir();
    const plan = await resolvePlan({
      model,
      tasks: ["ja_gpqa"],
      root: checkout,
      repoPath: checkout,
      cluster: "abci3",
      nodeKind: "rt_HG",
      copyDetails: share,
      offline: true,
      env: { HOME: "/nonexistent-home" },
    });
    const path = join(checkout, "plan.json");
    writeFileSync(path, JSON.stringify(plan));
    const result = await run(["--plan", path, "--task", "ja_gpqa"], { HF_HOME: modelCache(await testdir(), model) });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`📤 copied 1 details file\\(s\\) of ja_gpqa to ${share}`));
    const [run1] = readdirSync(join(share, "hosted_vllm", model));
    const [file] = readdirSync(join(share, "hosted_vllm", model, run1 ?? ""));
    expect(file).toMatch(/^details_swallow\|swallow_gpqa_ja\|0_.*\.parquet$/);
    expect(statSync(join(share, "hosted_vllm", model, run1 ?? "", file ?? "")).mode & 0o777).toBe(0o660);
  }, 60_000);

  it("is refused off ABCI, as qsub_all.sh refuses COPY_DETAILS=true there", async () => {
    const checkout = await swallowCheckout("v202604");
    await expect(
      resolvePlan({
        model: "org/m",
        tasks: ["ja_gpqa"],
        root: checkout,
        cluster: "tsubame4",
        offline: true,
        env: { COPY_DETAILS: "true" },
      }),
    ).rejects.toThrow(/COPY_DETAILS=true requires SERVICE=abci/);
  });
});
