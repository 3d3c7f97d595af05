import { testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { PlanSchema, parseModelsFile, type ResolvePlanOptions, resolvePlan, resolvePlans } from "../src/index.js";
import { fixtureRoot, hubCache } from "./fixtures.js";

async function plan(options: Partial<ResolvePlanOptions> = {}) {
  const root = await fixtureRoot();
  const home = await testdir();
  return resolvePlan({ model: "org/model", root, repoPath: "/repo", offline: true, env: { HOME: home }, cluster: "tsubame4", ...options });
}

describe(resolvePlan, () => {
  it("produces a plan that validates against its own schema, with every value's layer", async () => {
    const result = await plan({ customSettings: "sampling", tasks: ["ja_gpqa", "en_gpqa_diamond"] });
    expect(PlanSchema.parse(result)).toEqual(result);
    const [ja, en] = result.tasks;
    expect(ja?.generation.temperature).toMatchObject({
      value: 0.6,
      literal: "0.6",
      source: { layer: "profile", setting: "sampling", line: 3 },
    });
    expect(ja?.generation.max_n).toMatchObject({ value: 4, source: { layer: "profile" } });
    expect(ja?.generation.top_p).toBeUndefined();
    expect(en?.generation.max_new_tokens).toMatchObject({
      value: 1024,
      literal: "1024",
      source: { layer: "task_settings", key: "gpqa:diamond", line: 4 },
    });
    expect(Object.keys(en?.generation ?? {})).toEqual(["max_new_tokens", "temperature", "max_n"]);
    expect(ja?.systemMessage).toMatchObject({ value: "be brief", source: { layer: "profile" } });
    expect(ja?.walltime).toMatchObject({ value: "00:30:00", seconds: 1800, source: { layer: "tasks_runtime", column: "hrt_q", line: 2 } });
    expect(result.customSettings).toEqual({ name: "sampling", path: expect.stringMatching(/org\/model\.yaml$/), version: "2" });
  });

  it("lets the task row win with --merge-strategy task-first", async () => {
    const result = await plan({ customSettings: "sampling", tasks: ["ja_gpqa"], mergeStrategy: "task-first" });
    expect(result.tasks[0]?.generation.temperature).toMatchObject({ value: 0, literal: "0.0", source: { layer: "task_settings" } });
  });

  it("uses hrt_f for node_f and the PBS columns on abci3", async () => {
    expect((await plan({ nodeKind: "node_f", tasks: ["ja_mtbench"] })).tasks[0]?.walltime.value).toBe("16:00:00");
    const abci = await plan({ cluster: "abci3", nodeKind: "rt_HF", tasks: ["en_livecodebench_v5_v6"] });
    expect(abci.tasks[0]?.walltime.source).toMatchObject({ column: "wlt_HF" });
  });

  it("maps V5's ABCI node kinds onto TSUBAME's", async () => {
    expect((await plan({ nodeKind: "rt_HG", tasks: ["ja_gpqa"] })).nodeKind).toEqual({
      name: "node_q",
      gpus: 1,
      walltimeColumn: "hrt_q",
      resource: "node_q=1",
      maxWalltime: "24:00:00",
    });
  });

  it("carries the cluster facts a job needs, so nothing reads the profile again", async () => {
    const result = await plan({ tasks: ["ja_gpqa"] });
    expect(result.cluster).toMatchObject({
      name: "tsubame4",
      scheduler: "grid-engine",
      legacyService: "tsubame",
      group: { env: "TSUBAME_GROUP", flag: "-g" },
      priorities: [{ value: -5, costFactor: 1 }, expect.anything(), expect.anything()],
      profilePath: expect.stringMatching(/conf\/clusters\/tsubame4\.yaml$/),
    });
    expect(result.cluster.setup.length).toBeGreaterThan(0);
  });

  it.each([
    ["vllm", "org/model", "cpu_16", "hosted_vllm/org/model", "/repo/results/hosted_vllm/org/model"],
    ["openai", "openai/o3-mini", "cpu_16", "openai/o3-mini", "/repo/results/openai/o3-mini"],
    ["deepinfra", "org/model", "cpu_16", "deepinfra/org/model", "/repo/results/deepinfra/org/model"],
    ["openrouter", "org/model", "cpu_16", "openrouter/org/model", "/repo/results/openrouter/org/model"],
  ] as const)("names %s results like the legacy scripts", async (provider, model, cpuKind, litellm, resultsDir) => {
    const nodeKind = provider === "vllm" ? "node_q" : cpuKind;
    const result = await plan({ provider, model, nodeKind, tasks: ["ja_gpqa"] });
    expect([result.litellmModel, result.paths.resultsDir]).toEqual([litellm, resultsDir]);
    expect(result.paths.rawResultsDir).toBe(`/repo/lighteval/outputs/results/${litellm}`);
  });

  it("detects max model length and routes the parser from the cached model files", async () => {
    const home = await hubCache("org/model", {
      "config.json": { max_position_embeddings: 131072 },
      "tokenizer.json": { added_tokens: [{ content: "<think>" }] },
    });
    const root = await fixtureRoot();
    const result = await resolvePlan({
      model: "org/model",
      root,
      customSettings: "markup",
      offline: true,
      env: { HF_HOME: home },
      tasks: ["ja_gpqa"],
    });
    const task = result.tasks[0];
    expect(task?.maxModelLength).toMatchObject({ value: 32768, source: { layer: "auto-detected" } });
    expect(task?.parserRouting).toMatchObject({ vllmParser: null, lightevalParser: "deepseek_r1_markup", checkAtJobStart: false });
    const manual = await resolvePlan({
      model: "org/model",
      root,
      customSettings: "reasoning",
      offline: true,
      env: { HF_HOME: home },
      tasks: ["ja_gpqa"],
    });
    expect(manual.tasks[0]?.maxModelLength).toMatchObject({ value: 8192, source: { layer: "profile" } });
    expect(manual.tasks[0]?.parserRouting.vllmParser).toBe("deepseek_r1");
    await expect(resolvePlan({ model: "org/model", root, offline: true, env: { HF_HOME: home }, tasks: ["ja_gpqa"] })).rejects.toThrow(
      /the tokenizer knows <think>\/<\/think> but no reasoning_parser is set/,
    );
  });

  it("warns (or with strict, fails) when a profile's temperature meets a task whose default is not 0", async () => {
    const result = await plan({ customSettings: "sampling", tasks: ["ja_gpqa", "ja_mtbench", "en_livecodebench_v5_v6"] });
    const checks = result.warnings.filter((w) => w.startsWith("check:"));
    expect(checks).toHaveLength(2);
    expect(checks[0]).toMatch(/ja_mtbench: profile "sampling" sets temperature=0\.6 but the task uses its own temperatures/);
    expect(checks[1]).toMatch(/en_livecodebench_v5_v6: .*the task's default is 0\.6/);
    await expect(plan({ customSettings: "sampling", tasks: ["ja_mtbench"], strict: true })).rejects.toThrow(
      /ja_mtbench: profile "sampling" sets temperature/,
    );
  });

  it("warns to confirm with the requester when the chat template has a thinking switch and no reasoning setting", async () => {
    const home = await hubCache("org/model", {
      "config.json": { max_position_embeddings: 4096 },
      "tokenizer_config.json": { chat_template: "{% if enable_thinking %}x{% endif %}" },
    });
    const root = await fixtureRoot();
    const result = await resolvePlan({ model: "org/model", root, offline: true, env: { HF_HOME: home }, tasks: ["ja_gpqa"] });
    expect(result.warnings.join("\n")).toMatch(/check: the chat template has a thinking switch .* confirm with the requester/);
  });

  it("keeps the fingerprint across machines and changes it with any setting", async () => {
    const a = await plan({ customSettings: "sampling", tasks: ["ja_gpqa"] });
    const b = await plan({ customSettings: "sampling", tasks: ["ja_gpqa"], repoPath: "/elsewhere" });
    const c = await plan({ customSettings: "sampling", tasks: ["ja_gpqa"], mergeStrategy: "task-first" });
    expect(a.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(c.fingerprint).not.toBe(a.fingerprint);
  });

  it("selects tasks by key, glob and all, in file order without duplicates", async () => {
    expect((await plan({ tasks: ["en_*", "ja_gpqa", "en_gpqa_diamond"] })).tasks.map((t) => t.key)).toEqual([
      "en_gpqa_diamond",
      "en_livecodebench_v5_v6",
      "ja_gpqa",
    ]);
    expect((await plan({ tasks: ["all"] })).tasks).toHaveLength(4);
  });

  it.each([
    [{ tasks: ["ja_gpqq"] }, /tasks_runtime\.csv: field "--tasks": unknown task "ja_gpqq" \(did you mean "ja_gpqa"\?\)/],
    [{ model: "../etc/passwd" }, /model id "\.\.\/etc\/passwd" must be <org>\/<name>/],
    [{ model: "/abs/model" }, /model id "\/abs\/model" must be <org>\/<name>/],
    [{ model: "org/.." }, /model id "org\/\.\." must be/],
    [{ customSettings: "../x" }, /custom settings name "\.\.\/x" must be one path segment/],
    [{ customSettings: "nope" }, /field "nope": no setting named "nope" for model "org\/model"/],
    [{ nodeKind: "cpu_16" }, /tsubame4\.yaml: field "--node-kind": vLLM cannot be served on the CPU node kind "cpu_16"/],
    [{ provider: "deepinfra" as const, nodeKind: "node_q" }, /provider deepinfra uses no GPUs/],
    [{ provider: "openai" as const, nodeKind: "cpu_16" }, /must start with "openai\/"/],
    [{ nodeKind: "node_z" }, /unknown node kind "node_z" for cluster tsubame4 \(did you mean/],
    [{ cluster: "tsubam4" }, /unknown cluster "tsubam4" \(did you mean "tsubame4"\?\)/],
  ])("throws InputError for %j", async (options, message) => {
    const error = await plan(options as Partial<ResolvePlanOptions>).catch((e) => e);
    expect(error).toMatchObject({ exitCode: 2 });
    expect(error.message).toMatch(message);
  });

  it("throws InputError naming task_settings.csv when a task has no row there", async () => {
    const root = await fixtureRoot({
      "generation_settings/task_settings.csv": 'key,generation_settings\nswallow_gpqa_ja,"temperature=0.0"\n',
    });
    await expect(resolvePlan({ model: "org/model", root, offline: true, env: { HOME: root }, tasks: ["en_gpqa_diamond"] })).rejects.toThrow(
      /task_settings\.csv: field "key": no row for lighteval task "gpqa:diamond"/,
    );
  });
});

describe("finding inputs", () => {
  it("reads a swallow-evaluation-instruct checkout's scripts/ layout under --root without copying anything", async () => {
    const root = await testdir({
      "scripts/qsub/conf/tasks_runtime.csv":
        "key,script,result_dir,framework,hrt_q,hrt_f\nja_gpqa,swallow_gpqa_ja,ja/gpqa,lighteval,00:45:00,02:00:00\n",
      "scripts/generation_settings/task_settings.csv": 'key,generation_settings\nswallow_gpqa_ja,"temperature=0.0"\n',
      "scripts/generation_settings/custom_model_settings/org/model.yaml": 'default:\n  version: "7"\n',
    });
    const result = await resolvePlan({
      model: "org/model",
      root,
      customSettings: "default",
      offline: true,
      env: { HOME: root },
      cluster: "tsubame4",
    });
    expect(result.inputs).toEqual({
      tasksRuntime: `${root}/scripts/qsub/conf/tasks_runtime.csv`,
      taskSettings: `${root}/scripts/generation_settings/task_settings.csv`,
      customModelSettingsDir: `${root}/scripts/generation_settings/custom_model_settings`,
    });
    expect([result.tasks[0]?.walltime.value, result.customSettings?.version, result.paths.repoPath]).toEqual(["00:45:00", "7", root]);
  });

  it("falls back to the defaults embedded in the package when the root has none", async () => {
    const root = await testdir();
    const result = await resolvePlan({ model: "org/model", root, offline: true, env: { HOME: root }, tasks: ["ja_gpqa"] });
    expect(result.inputs.tasksRuntime).toMatch(/settings-resolver\/defaults\/conf\/tasks_runtime\.csv$/);
    expect(result.cluster).toMatchObject({ name: "local", profilePath: expect.stringMatching(/defaults\/conf\/clusters\/local\.yaml$/) });
  });
});

describe(resolvePlans, () => {
  it("gives one plan per model, each with its own node kind and settings", async () => {
    const root = await fixtureRoot({
      "generation_settings/custom_model_settings/org/other.yaml": 'fast:\n  max_n: 1\n  version: "1"\n',
    });
    const requests = parseModelsFile(
      JSON.stringify({
        "org/model": { node_kind: "rt_HF", custom_settings: "sampling" },
        "org/other": { node_kind: "rt_HG", custom_settings: "fast" },
      }),
      "g.json",
    );
    const plans = await resolvePlans(requests, { root, cluster: "tsubame4", offline: true, env: { HOME: root }, tasks: ["ja_gpqa"] });
    expect(plans.map((p) => [p.model.id, p.nodeKind.name, p.customSettings?.name])).toEqual([
      ["org/model", "node_f", "sampling"],
      ["org/other", "node_q", "fast"],
    ]);
  });
});
