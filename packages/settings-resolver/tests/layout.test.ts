import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readClusterProfile } from "@sweval/clusters";
import { repoRoot, testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { chooseLayout, legacyLayout, modelSizeOf, resolvePlan } from "../src/index.js";

/** A model in the HF cache as `hf download` leaves it, with the safetensors index that states its size. */
async function cachedModel(id: string, totalSize: number, dtype = "bfloat16") {
  const cache = await testdir();
  const snapshot = join(cache, `models--${id.replaceAll("/", "--")}`, "snapshots", "0123abc");
  mkdirSync(snapshot, { recursive: true });
  mkdirSync(join(cache, `models--${id.replaceAll("/", "--")}`, "refs"));
  writeFileSync(join(cache, `models--${id.replaceAll("/", "--")}`, "refs/main"), "0123abc");
  writeFileSync(join(snapshot, "config.json"), JSON.stringify({ torch_dtype: dtype, max_position_embeddings: 32768 }));
  writeFileSync(join(snapshot, "model.safetensors.index.json"), JSON.stringify({ metadata: { total_size: totalSize }, weight_map: {} }));
  return { HF_HUB_CACHE: cache };
}

const tsubame = async () => (await readClusterProfile("tsubame4", repoRoot)).profile;
const abci = async () => (await readClusterProfile("abci3", repoRoot)).profile;
const size = (billions: number) => ({ parameters: billions * 1e9, bytesPerParameter: 2, source: "test" });

describe("--layout auto: the cheapest layout that fits, from the model's size", () => {
  it.each([
    // 8B bf16: 16 GB × 1.2 + 16 = 35 GB fits one 94 GB H100 (84.6 usable); gpu_1 0.2/h beats node_q's 0.25 per replica.
    [8, "tsubame4", { nodeKind: "gpu_1", tensorParallel: 1, dataParallel: 1, neededGb: 35 }, { nodeKind: "node_q", tensorParallel: 1 }],
    // 32B: 64 × 1.2 + 16 = 93 GB needs 2 GPUs: node_h (0.5/h, one replica) ties node_f's two replicas; fewer GPUs win.
    [32, "tsubame4", { nodeKind: "node_h", tensorParallel: 2, dataParallel: 1, neededGb: 93 }, { nodeKind: "node_f", tensorParallel: 4 }],
    // 70B: 140 × 1.2 + 16 = 184 GB: 3 GPUs, so tensor-parallel 4 on node_f.
    [70, "tsubame4", { nodeKind: "node_f", tensorParallel: 4, dataParallel: 1, neededGb: 184 }, { nodeKind: "node_f", tensorParallel: 4 }],
    // ABCI's H200 (141 GB, 126.9 usable): 32B fits one GPU; rt_HF's 7.5/h over 8 replicas (0.94) beats rt_HG's 1.5.
    [32, "abci3", { nodeKind: "rt_HF", tensorParallel: 1, dataParallel: 8, neededGb: 93 }, { nodeKind: "rt_HF", tensorParallel: 8 }],
  ] as const)("%dB on %s", async (billions, cluster, expected, legacy) => {
    const profile = cluster === "tsubame4" ? await tsubame() : await abci();
    expect(chooseLayout(size(billions), profile)).toMatchObject(expected);
    expect(legacyLayout(size(billions), profile)).toEqual(legacy);
  });

  it("on a node kind asked for, a model that fits one GPU runs as data-parallel replicas, not one tensor-parallel server", async () => {
    const profile = await tsubame();
    expect(chooseLayout(size(8), profile, "node_f")).toMatchObject({ nodeKind: "node_f", tensorParallel: 1, dataParallel: 4 });
    expect(() => chooseLayout(size(70), profile, "node_q")).toThrow(/a 70B model needs 4 GPUs of 94 GB; node_q has 1/);
  });

  it("reads the size from the safetensors index in the HF cache, else from the id; resolve records the layout and the legacy one", async () => {
    const env = await cachedModel("org/Model-X", 65.5e9);
    expect(modelSizeOf("org/Model-X", { env })).toMatchObject({ parameters: 32.75e9, bytesPerParameter: 2 });
    expect(modelSizeOf("org/Other-7B", { env: {} })?.parameters).toBe(7e9);
    expect(modelSizeOf("org/unsized", { env: {} })).toBeNull();
    const plan = await resolvePlan({
      model: "org/Model-X",
      cluster: "tsubame4",
      layout: "auto",
      tasks: ["ja_gpqa", "ja_mmlu"],
      root: repoRoot,
      repoPath: "/repo",
      offline: true,
      env,
    });
    expect(plan.nodeKind.name).toBe("node_h");
    expect(plan.layout).toMatchObject({
      tensorParallel: 2,
      dataParallel: 1,
      parameters: 32.75e9,
      // The legacy guide puts > 13B on node_f, whose static walltimes are tasks_runtime.csv's hrt_f column.
      legacy: { nodeKind: "node_f", tensorParallel: 4, walltimes: { ja_gpqa: 7200, ja_mmlu: 14400 } },
    });
    await expect(
      resolvePlan({
        model: "org/unsized",
        cluster: "tsubame4",
        layout: "auto",
        tasks: ["ja_gpqa"],
        root: repoRoot,
        offline: true,
        env: {},
      }),
    ).rejects.toThrow(/cannot tell the size of org\/unsized/);
  });
});
