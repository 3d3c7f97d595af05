import { join } from "node:path";
import { repoRoot, runBin, swallowCheckout } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { resolvePlan } from "../src/index.js";

const bin = join(repoRoot, "packages/settings-resolver/bin/sweval-resolve.js");
const LLMJP4 = "llm-jp/llm-jp-4-8b-thinking";

async function planIn(checkout: string, model: string, extra: Partial<Parameters<typeof resolvePlan>[0]> = {}) {
  return resolvePlan({
    model,
    customSettings: "reasoning",
    tasks: ["ja_gpqa"],
    root: checkout,
    repoPath: checkout,
    offline: true,
    env: { HOME: "/nonexistent-home" },
    ...extra,
  });
}

describe("the checkout's pins reach the plan", () => {
  it("V4 (v202508): vLLM 0.9.2 from uv.lock, Python 3.10.14, no plugin, the 107-column table", async () => {
    const checkout = await swallowCheckout("v202508");
    const plan = await planIn(checkout, "nvidia/Nemotron-3-Nano", { customSettings: null });
    expect(plan.checkout).toEqual({
      vllm: { version: "0.9.2", source: join(checkout, "uv.lock") },
      python: { version: "3.10.14", source: join(checkout, "pyproject.toml") },
      reasoningParserPlugin: null,
      aggregateConf: { name: "swallow-v202508", source: join(checkout, "scripts/aggregate_utils/conf.py") },
      legacyTakesTrustRemoteCode: false,
    });
    expect(plan.aggregateConf).toBe("swallow-v202508");
  });

  it("V5 (v202604): vLLM 0.18.0, Python 3.11.10, the plugin loader and the parsers it registers, the 157-column table", async () => {
    const checkout = await swallowCheckout("v202604");
    const plan = await planIn(checkout, LLMJP4);
    const dir = join(checkout, "scripts/generation_settings/reasoning_parser");
    expect(plan.checkout).toMatchObject({
      vllm: { version: "0.18.0" },
      python: { version: "3.11.10" },
      reasoningParserPlugin: { loader: join(dir, "multi_parser_loader.py"), dir, parsers: ["llmjp4", "nemotron_nano_v2"] },
      legacyTakesTrustRemoteCode: true,
    });
    expect(plan.aggregateConf).toBe("swallow-v202604");
    expect(plan.tasks[0]?.parserRouting.vllmParser).toBe("llmjp4");
  });
});

describe("a reasoning parser the pinned vLLM cannot load is refused when the plan is made", () => {
  it.each([
    [
      "v202508",
      LLMJP4,
      /reasoning parser "llmjp4" is not built into vLLM 0\.9\.2 \(pinned by .*uv\.lock\), and the checkout has no scripts\/generation_settings\/reasoning_parser\/multi_parser_loader\.py/,
    ],
    ["v202508", "nvidia/Nemotron-3-Nano", /reasoning parser "nemotron_v3" is not built into vLLM 0\.9\.2/],
    ["v202508", "nvidia/NVIDIA-Nemotron-Nano-9B-v2-Japanese", /"nemotron_nano_v2" is not built into vLLM 0\.9\.2/],
  ] as const)("%s: %s", async (release, model, message) => {
    const checkout = await swallowCheckout(release);
    const result = await runBin(bin, ["-m", model, "-s", "reasoning", "-t", "ja_gpqa", "--root", checkout, "--offline"], {
      cwd: checkout,
      env: { HOME: "/nonexistent-home" },
    });
    expect([result.exitCode, result.stdout]).toEqual([2, ""]);
    expect(result.stderr).toMatch(message);
    // The one message names the file, the line and the field that set the parser.
    expect(result.stderr).toMatch(/custom_model_settings\/.*\.yaml:2: field "reasoning\.reasoning_parser"/);
  });

  it("on V5 every parser of the routing list loads: built in (nemotron_v3) or from the plugin (llmjp4, nemotron_nano_v2)", async () => {
    const checkout = await swallowCheckout("v202604");
    for (const model of [LLMJP4, "nvidia/NVIDIA-Nemotron-Nano-9B-v2-Japanese", "nvidia/Nemotron-3-Nano"])
      await expect(planIn(checkout, model)).resolves.toMatchObject({ tasks: [{ parserRouting: { vllmParser: expect.any(String) } }] });
  });

  it("a plugin-only parser with no checkout is refused whatever vLLM runs", async () => {
    const checkout = await swallowCheckout("v202604");
    await expect(planIn(checkout, LLMJP4, { repoPath: join(checkout, "elsewhere") })).rejects.toThrow(
      /"llmjp4" is not built into any vLLM[\s\S]*/,
    );
  });
});

describe("vllm_use_v1 and TRUST_REMOTE_CODE", () => {
  const profile = (value: string) => ({
    "scripts/generation_settings/custom_model_settings/org/m.yaml": `plain:\n  vllm_use_v1: ${value}\n  version: "1"\n`,
  });

  it("true/false become the 1/0 that vLLM 0.9 parses with int() (the legacy passes False, which crashes it)", async () => {
    for (const [written, value] of [
      ["false", 0],
      ["true", 1],
      ["0", 0],
    ] as const) {
      const checkout = await swallowCheckout("v202508", profile(written));
      const plan = await planIn(checkout, "org/m", { customSettings: "plain" });
      expect(plan.tasks[0]?.vllmUseV1.value).toBe(value);
    }
    const bad = await swallowCheckout("v202508", profile("maybe"));
    await expect(planIn(bad, "org/m", { customSettings: "plain" })).rejects.toThrow(
      /m\.yaml:2: field "plain\.vllm_use_v1": expected 0 or 1/,
    );
  });

  it("warns that vllm_use_v1: 0 does nothing on vLLM 0.18", async () => {
    const checkout = await swallowCheckout("v202604", profile("0"));
    const plan = await planIn(checkout, "org/m", { customSettings: "plain" });
    expect(plan.warnings.join("\n")).toMatch(/vllm_use_v1: 0 has no effect on vLLM 0\.18\.0/);
  });

  it("TRUST_REMOTE_CODE is exactly true or false, as qsub_all.sh checks it", async () => {
    const checkout = await swallowCheckout("v202604");
    const on = await planIn(checkout, "org/m", { customSettings: null, env: { HOME: "/nonexistent-home", TRUST_REMOTE_CODE: "true" } });
    expect(on.trustRemoteCode.value).toBe(true);
    await expect(
      planIn(checkout, "org/m", { customSettings: null, env: { HOME: "/nonexistent-home", TRUST_REMOTE_CODE: "yes" } }),
    ).rejects.toThrow(/TRUST_REMOTE_CODE must be exactly true or false, not "yes"/);
    const flag = await planIn(checkout, "org/m", { customSettings: null, trustRemoteCode: true });
    expect(flag.trustRemoteCode).toEqual({ value: true, source: { layer: "cli", flag: "--trust-remote-code" } });
  });
});

describe("suites: what --tasks all means", () => {
  it("on a legacy checkout, its qsub_all.sh's uncommented qsub_task lines (V5: not the settings-less ja_polymath_n16 row)", async () => {
    const checkout = await swallowCheckout("v202604");
    const plan = await planIn(checkout, "org/m", { customSettings: null, tasks: ["all"] });
    expect(plan.tasks.map((task) => task.key)).toEqual(["ja_gpqa", "en_math_500"]);
    expect(plan.suite).toEqual({ name: "qsub_all.sh", file: join(checkout, "scripts/qsub/qsub_all.sh") });
  });

  it("--suite swallow-v202508: the 19 tasks of V4's qsub_all.sh, in its order, from the embedded conf", async () => {
    const plan = await resolvePlan({ model: "org/m", tasks: ["all"], suite: "swallow-v202508", root: repoRoot, offline: true, env: {} });
    expect(plan.tasks).toHaveLength(19);
    expect(plan.tasks.map((task) => task.key).slice(0, 3)).toEqual(["ja_gpqa", "ja_jemhopqa_cot", "ja_math_100"]);
    expect(plan.suite?.name).toBe("swallow-v202508");
    const globbed = await resolvePlan({
      model: "org/m",
      tasks: ["en_*"],
      suite: "swallow-v202508",
      root: repoRoot,
      offline: true,
      env: {},
    });
    expect(globbed.tasks).toHaveLength(9);
  });

  it("--suite swallow-v202604 against V4 tasks exits 2 naming the suite's line and the missing row", async () => {
    const result = await runBin(bin, ["-m", "org/m", "--suite", "swallow-v202604", "--offline"], {
      cwd: repoRoot,
      env: { HOME: "/nonexistent-home" },
    });
    expect([result.exitCode, result.stdout]).toEqual([2, ""]);
    expect(result.stderr).toMatch(
      /swallow-v202604\.yaml:8: field "tasks": suite swallow-v202604 runs ja_jamcqa, which .*tasks_runtime\.csv has no row for/,
    );
  });

  it("--suite <qsub_all.sh> reads another checkout's list", async () => {
    const checkout = await swallowCheckout("v202508");
    const plan = await resolvePlan({
      model: "org/m",
      suite: join(checkout, "scripts/qsub/qsub_all.sh"),
      tasksRuntime: join(checkout, "scripts/qsub/conf/tasks_runtime.csv"),
      taskSettings: join(checkout, "scripts/generation_settings/task_settings.csv"),
      root: repoRoot,
      offline: true,
      env: {},
    });
    expect(plan.tasks.map((task) => task.key)).toEqual(["ja_gpqa", "en_math_500"]);
  });
});
