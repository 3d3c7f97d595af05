import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { lightevalArgs, renderModelConfig, toolCommand, vllmServeArgs } from "../src/index.js";
import { planFile } from "./helpers.js";

describe("the layout --layout auto chose reaches vllm serve", () => {
  it("tensor-parallel over one replica's GPUs, the node's others as --data-parallel-size replicas", async () => {
    const { plan } = await planFile({ tasks: ["ja_gpqa"], nodeKind: "node_f" });
    const [task] = plan.tasks;
    if (!task) throw new Error("no task");
    const layout = { tensorParallel: 1, dataParallel: 4, parameters: 8e9, sizeSource: "test", why: "test", legacy: null };
    const args = vllmServeArgs({ ...plan, layout }, task, 8000, 4);
    expect(args.slice(0, 8)).toEqual([
      "serve",
      plan.model.id,
      "--port",
      "8000",
      "--tensor-parallel-size",
      "1",
      "--data-parallel-size",
      "4",
    ]);
    // Without a layout: the legacy's one server tensor-parallel over every GPU, and no --data-parallel-size.
    const legacy = vllmServeArgs(plan, task, 8000, 4);
    expect(legacy.slice(4, 6)).toEqual(["--tensor-parallel-size", "4"]);
    expect(legacy).not.toContain("--data-parallel-size");
  });
});

describe("the argv and YAML given to the real programs", () => {
  it("match their golden files", async () => {
    const cases = [
      await planFile({ tasks: ["ja_gpqa", "en_livecodebench_v5_v6"] }),
      await planFile({ model: "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", customSettings: "deepseek_r1_common", tasks: ["en_math_500"] }),
      await planFile({
        model: "nvidia/Llama-3_3-Nemotron-Super-49B-v1",
        customSettings: "deepseek_r1_markup_common",
        tasks: ["ja_mtbench"],
      }),
      await planFile({ model: "openai/o3-mini", provider: "openai", nodeKind: "cpu", customSettings: "", tasks: ["en_gpqa_diamond"] }),
    ];
    const lines: string[] = [];
    for (const { plan, repo } of cases) {
      for (const task of plan.tasks) {
        const sanitize = (text: string) => text.replaceAll(repo, "<repo>");
        lines.push(`## ${plan.model.id} ${task.key}`);
        lines.push(
          `vllm ${vllmServeArgs(plan, { ...task, maxModelLength: { ...task.maxModelLength, value: 32768 } }, 8000, plan.nodeKind.gpus).join(" ")}`,
        );
        lines.push(
          `lighteval ${sanitize(lightevalArgs(plan, task, `${plan.paths.rawResultsDir}/model_config_${task.lightevalTask}.yaml`, plan.paths.rawOutputDir).join(" "))}`,
        );
        lines.push(
          renderModelConfig({
            modelName: plan.litellmModel,
            baseUrl: plan.apiBase ?? "http://localhost:8000/v1",
            lightevalParser: task.parserRouting.lightevalParser,
            task,
          }),
        );
      }
    }
    await expect(lines.join("\n")).toMatchFileSnapshot("golden/argv-and-yaml.txt");
  });
});

describe(toolCommand, () => {
  const cluster = (vllm: string[] | null) =>
    ({ cluster: { tools: { vllm, lighteval: null } } }) as unknown as Parameters<typeof toolCommand>[1];

  it("runs the tool the plan carries from its cluster profile, with ${REPO_PATH} filled in", () => {
    expect(toolCommand("vllm", cluster(["uv", "run", "--project", "${REPO_PATH}/vllm_env", "vllm"]), {}, "/repo")).toEqual([
      "uv",
      "run",
      "--project",
      "/repo/vllm_env",
      "vllm",
    ]);
    expect(toolCommand("lighteval", cluster(null), {}, "/repo")).toEqual(["lighteval"]);
  });

  it("lets SWEVAL_VLLM_CMD override it, and refuses one that is not a JSON array of strings", () => {
    expect(toolCommand("vllm", cluster(["vllm"]), { SWEVAL_VLLM_CMD: '["/opt/vllm"]' }, "/repo")).toEqual(["/opt/vllm"]);
    expect(() => toolCommand("vllm", cluster(null), { SWEVAL_VLLM_CMD: "vllm serve" }, "/repo")).toThrow(
      /field "SWEVAL_VLLM_CMD": expected a JSON array of strings/,
    );
  });
});

describe("the model config YAML lighteval reads", () => {
  it("cannot be given keys by a setting's value: hostile values stay values", async () => {
    const { plan } = await planFile({ tasks: ["ja_gpqa"] });
    const task = plan.tasks[0];
    if (!task) throw new Error("no task");
    const hostile = {
      ...task,
      generation: {
        ...task.generation,
        top_p: {
          value: "0.9\n    base_url: http://attacker.example/v1",
          literal: "0.9\n    base_url: http://attacker.example/v1",
          source: { layer: "default" as const },
        },
        temperature: { value: 0.5, literal: "0.5\nbase_url: x", source: { layer: "default" as const } },
      },
    };
    const text = renderModelConfig({
      modelName: "hosted_vllm/org/m",
      baseUrl: "http://localhost:8000/v1",
      lightevalParser: null,
      task: hostile,
    });
    const parsed = parse(text) as { model: { base_params: Record<string, unknown>; generation: Record<string, unknown> } };
    expect(parsed.model.base_params.base_url).toBe("http://localhost:8000/v1");
    expect(parsed.model.generation).toEqual({ temperature: 0.5, top_p: "0.9\n    base_url: http://attacker.example/v1" });
  });
});
