import { describe, expect, it } from "vitest";
import { learnedWalltime, quantile, readRunHistory, sizeClassOf } from "../src/index.js";

const job = (id: string, task: string, walltimeSeconds = 7200, model = "org/Model-8B") =>
  JSON.stringify({
    kind: "sweval/ledger-entry",
    version: 2,
    event: "submitted",
    scheduler: "grid-engine",
    jobId: id,
    job: { tasks: [task], resources: { nodeKind: "node_q", gpus: 1, request: "node_q=1" }, model, walltimeSeconds },
  });
const settled = (id: string, state: string, elapsedSeconds: number | null) =>
  JSON.stringify({ event: "settled", scheduler: "grid-engine", jobId: id, state, elapsedSeconds, exitStatus: 0, reason: "" });

describe("walltimes learned from the ledger's history", () => {
  it("takes the 90th percentile (nearest rank) plus max(20 %, 5 min), rounded up to the minute", () => {
    // Ten runs of 30..75 min: the 90th percentile is the 9th, 70 min; + 14 min = 84 min.
    const runs = Array.from({ length: 10 }, (_, i) => (30 + 5 * i) * 60);
    expect(quantile(runs, 0.9)).toBe(70 * 60);
    expect(learnedWalltime({ runs, timeouts: [] }, { staticSeconds: 7200, maxSeconds: 86400 })).toEqual({
      source: "learned",
      seconds: 84 * 60,
      staticSeconds: 7200,
      samples: 10,
      timeouts: 0,
      expectedSeconds: 50 * 60,
    });
    // Short runs get the 5-minute margin: 10 min → 15 min.
    expect(learnedWalltime({ runs: [600, 600, 600], timeouts: [] }, { staticSeconds: 7200, maxSeconds: 86400 }).seconds).toBe(900);
  });

  it("keeps the static column with fewer than 3 runs; a timeout raises the task to 1.5 × the walltime it died at; the maximum caps", () => {
    expect(learnedWalltime({ runs: [600, 700], timeouts: [] }, { staticSeconds: 7200, maxSeconds: 86400 })).toMatchObject({
      source: "static",
      seconds: 7200,
      expectedSeconds: null,
    });
    expect(learnedWalltime({ runs: [600, 600, 600], timeouts: [3600] }, { staticSeconds: 1800, maxSeconds: 86400 }).seconds).toBe(5400);
    expect(learnedWalltime({ runs: [], timeouts: [72000] }, { staticSeconds: 72000, maxSeconds: 86400 }).seconds).toBe(86400);
  });

  it("reads a ledger: one task's jobs by task × node kind × size class; packed, aggregation, errors and unfinished left out", () => {
    const lines = [
      job("1", "ja_gpqa"),
      settled("1", "done", 1000),
      job("2", "ja_gpqa"),
      settled("2", "done_with_errors", 1200),
      job("3", "ja_gpqa"),
      settled("3", "error", 5),
      job("4", "ja_gpqa", 1800),
      settled("4", "timeout", 1800),
      job("5", "ja_gpqa", 7200, "org/Model-70B"),
      settled("5", "done", 4000),
      job("6", "aggregate"),
      settled("6", "done", 30),
      job("7", "ja_mmlu"),
      JSON.stringify({ event: "cancelled", scheduler: "grid-engine", jobId: "7" }),
      "",
    ];
    const history = readRunHistory(lines.join("\n"), "ledger.jsonl");
    expect(Object.fromEntries(history)).toEqual({
      "ja_gpqa|node_q|<=10B": { runs: [1000, 1200], timeouts: [1800] },
      "ja_gpqa|node_q|<=100B": { runs: [4000], timeouts: [] },
    });
    expect(() => readRunHistory(`${job("1", "x")}\n{torn`, "ledger.jsonl")).toThrow(/ledger.jsonl:2/);
  });

  it("sorts models into size classes by parameters, else by the size in their id", () => {
    expect(sizeClassOf("tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5")).toBe("<=10B");
    expect(sizeClassOf("Qwen/Qwen3-32B")).toBe("<=40B");
    expect(sizeClassOf("llm-jp/llm-jp-4-32b-a3b-thinking")).toBe("<=40B");
    expect(sizeClassOf("meta-llama/Llama-3.3-70B-Instruct")).toBe("<=100B");
    expect(sizeClassOf("openai/gpt-4o")).toBe("unknown");
    expect(sizeClassOf("org/anything", 235e9)).toBe(">100B");
  });
});
