// The cheapest layout that fits: from the model's size, the node kind, tensor parallelism and data parallelism a
// plan runs with. The legacy sizing (legacy-workflow.md §11.2: ≤ 13B on node_q / rt_HG, larger on node_f / rt_HF,
// tensor-parallel over every GPU of the node) is kept beside it for the estimate's comparison.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ClusterProfile } from "@sweval/clusters";
import { InputError } from "@sweval/core";
import { parametersInModelId } from "./model-id-size.js";
import { findCachedSnapshot } from "./model-metadata.js";

export interface ModelSize {
  parameters: number;
  bytesPerParameter: number;
  /** Where the numbers came from: the safetensors index, or the size in the model's id. */
  source: string;
}

export interface Layout {
  nodeKind: string;
  tensorParallel: number;
  dataParallel: number;
  /** GB one replica needs: the weights, 20 % more, and 16 GB of KV cache. */
  neededGb: number;
  why: string;
}

const BYTES: Record<string, number> = { float32: 4, float16: 2, bfloat16: 2, float8_e4m3fn: 1, int8: 1 };
/** vLLM's --gpu-memory-utilization, which the jobs pass. */
const USABLE = 0.9;
const HEADROOM = 1.2;
const KV_CACHE_GB = 16;

/**
 * The model's parameters: `metadata.total_size` of model.safetensors.index.json over the bytes of config.json's
 * torch_dtype (bf16: 2), from a local model dir or the HF cache; else the size its id carries ("8B"); else null.
 */
export function modelSizeOf(modelId: string, options: { modelPath?: string | null; env: NodeJS.ProcessEnv }): ModelSize | null {
  const dir = options.modelPath ?? findCachedSnapshot(modelId, options.env);
  const index = dir ? join(dir, "model.safetensors.index.json") : null;
  if (dir && index && existsSync(index)) {
    const total = Number((JSON.parse(readFileSync(index, "utf8")) as { metadata?: { total_size?: unknown } }).metadata?.total_size);
    const configFile = join(dir, "config.json");
    const config = existsSync(configFile) ? (JSON.parse(readFileSync(configFile, "utf8")) as Record<string, unknown>) : {};
    const dtype = String(config.torch_dtype ?? config.dtype ?? "bfloat16");
    const bytes = BYTES[dtype] ?? 2;
    if (Number.isFinite(total) && total > 0) return { parameters: total / bytes, bytesPerParameter: bytes, source: index };
  }
  const parameters = parametersInModelId(modelId);
  return parameters ? { parameters, bytesPerParameter: 2, source: `the size in the model id (${parameters / 1e9}B, bf16 assumed)` } : null;
}

/**
 * The cheapest GPU node kind a replica fits on, and its parallelism: the fewest GPUs per replica (a power of two)
 * whose usable memory holds it, then the node kind with the lowest points per replica-hour, fewer GPUs on a tie
 * (one vLLM start costs less on a smaller node). Given a node kind, only the parallelism is chosen: a model that fits
 * one GPU runs as data-parallel replicas there instead of one tensor-parallel server.
 */
export function chooseLayout(size: ModelSize, cluster: ClusterProfile, fixedNodeKind?: string | null): Layout {
  const gpuGb = cluster.costs?.gpuMemoryGb;
  const rates = cluster.costs?.pointsPerHour ?? {};
  if (!gpuGb)
    throw new InputError(`cluster ${cluster.name} states no GPU memory (costs.gpuMemoryGb), so --layout auto cannot size a model`, {
      code: "E_LAYOUT",
      field: "--layout",
    });
  const neededGb = Math.round(((size.parameters * size.bytesPerParameter) / 1e9) * HEADROOM + KV_CACHE_GB);
  const gpusNeeded = Math.ceil(neededGb / (gpuGb * USABLE));
  const tensorParallel = 2 ** Math.ceil(Math.log2(Math.max(1, gpusNeeded)));
  const candidates = Object.entries(cluster.nodeKinds)
    .filter(([name, kind]) => kind.gpus >= tensorParallel && (fixedNodeKind ? name === fixedNodeKind : rates[name] !== undefined))
    .map(([name, kind]) => ({ name, gpus: kind.gpus, perReplica: (rates[name] ?? 0) / Math.floor(kind.gpus / tensorParallel) }))
    .sort((a, b) => a.perReplica - b.perReplica || a.gpus - b.gpus);
  const best = candidates[0];
  if (!best)
    throw new InputError(
      `a ${Math.round(size.parameters / 1e9)}B model needs ${tensorParallel} GPUs of ${gpuGb} GB; ${fixedNodeKind ? `${fixedNodeKind} has ${cluster.nodeKinds[fixedNodeKind]?.gpus ?? 0}` : `no node kind of ${cluster.name} has that many`}`,
      { code: "E_LAYOUT", field: fixedNodeKind ? "--node-kind" : "--layout" },
    );
  const dataParallel = Math.floor(best.gpus / tensorParallel);
  return {
    nodeKind: best.name,
    tensorParallel,
    dataParallel,
    neededGb,
    why: `${neededGb} GB per replica fits ${tensorParallel} GPU(s) of ${gpuGb} GB; ${best.name} runs ${dataParallel} replica(s)${fixedNodeKind ? " (the node kind asked for)" : ", the fewest points per replica-hour"}`,
  };
}

/** The legacy sizing guide: ≤ 13B on the small GPU kind, larger on the full node, tensor-parallel over all of it. */
export function legacyLayout(size: ModelSize, cluster: ClusterProfile): { nodeKind: string; tensorParallel: number } | null {
  const table: Record<string, [string, string]> = { tsubame: ["node_q", "node_f"], abci: ["rt_HG", "rt_HF"] };
  const kinds = table[cluster.legacyService];
  if (!kinds) return null;
  const nodeKind = size.parameters <= 13e9 ? kinds[0] : kinds[1];
  const gpus = cluster.nodeKinds[nodeKind]?.gpus;
  return gpus ? { nodeKind, tensorParallel: gpus } : null;
}
