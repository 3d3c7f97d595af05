import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { resolvePlan } from "@sweval/settings-resolver";
import { repoRoot, runBin, testdir } from "@sweval/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { diagnose, freePort } from "../src/index.js";
import { runBinPath } from "./helpers.js";

/** Log lines as vLLM and lighteval print them (patterns taken from their sources). */
const CORPUS: Record<string, string> = {
  oom: "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.19 GiB",
  "think-parser": "ValueError: DeepSeek R1 reasoning parser could not locate think start/end tokens in the tokenizer!",
  timeout: "INFO 08-01 12:00:00 [async_llm.py:420] Aborted request chatcmpl-1234.",
  "kv-cache": Array.from(
    { length: 25 },
    (_, i) =>
      `WARNING 08-01 12:00:${String(i).padStart(2, "0")} [scheduler.py:1234] Sequence group 7 is preempted by PreemptionMode.RECOMPUTE mode because there is not enough KV cache space.`,
  ).join("\n"),
  repetition: [900, 950, 920, 880, 40, 30, 25]
    .map(
      (v) =>
        `INFO 08-01 12:00:00 [metrics.py:100] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: ${v}.5 tokens/s, Running: 3 reqs`,
    )
    .join("\n"),
  "never-healthy": "❌ vLLM did not become healthy (no answer from http://127.0.0.1:1234/health in 3600 s); last lines of x.vllm123:",
};

describe("sweval-run doctor", () => {
  it.each(Object.entries(CORPUS))("names %s with the manual's advice", async (id, text) => {
    const dir = await testdir({ "ja_gpqa.vllm123": `INFO starting\n${text}\nINFO done\n`, "ja_gpqa.o123": "fake sweval-run\n" });
    const findings = diagnose(dir);
    expect(findings.map((f) => f.id)).toEqual([id]);
    const result = await runBin(runBinPath, ["doctor", dir, "--json"]);
    expect(JSON.parse(result.stdout).findings[0]).toMatchObject({ id, advice: expect.any(String) });
  });

  it("tells a starved KV cache from repetition: the same throughput collapse, with and without KV usage at 99.9 %", async () => {
    const metrics = (usage: number) =>
      [900, 950, 920, 880, 40, 30, 25].map(
        (v) =>
          `INFO 08-01 12:00:00 [metrics.py:100] Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: ${v}.5 tokens/s, Running: 3 reqs, Swapped: 0 reqs, Pending: 41 reqs, GPU KV cache usage: ${usage}%, CPU KV cache usage: 0.0%.`,
      );
    const preempted =
      "WARNING 08-01 12:00:07 [scheduler.py:1560] Sequence group cmpl-9 is preempted by PreemptionMode.RECOMPUTE mode because there is not enough KV cache space. This can affect the end-to-end performance. Increase gpu_memory_utilization or tensor_parallel_size to provide more KV cache memory.";
    const starved = await testdir({ "ja_mtbench.vllm7": [...metrics(99.9), preempted, preempted].join("\n") });
    const [finding, ...others] = diagnose(starved);
    expect(others).toEqual([]);
    expect(finding).toMatchObject({ id: "kv-cache", title: expect.stringContaining("resources, not repetition") });
    expect(finding?.evidence.at(-1)).toBe("2 preemption(s); GPU KV cache usage peaked at 99.9%");
    for (const remedy of ["more GPUs", "node_f", "gpu_memory_utilization", "max_model_length 8192"])
      expect(finding?.advice).toContain(remedy);
    const repeating = await testdir({ "ja_mtbench.vllm7": metrics(12.5).join("\n") });
    expect(diagnose(repeating).map((f) => f.id)).toEqual(["repetition"]);
  });

  it("says so when nothing known is in the logs", async () => {
    const dir = await testdir({ "a.o1": "all fine\n" });
    expect((await runBin(runBinPath, ["doctor", dir])).stdout).toBe("no known failure mode found in the logs\n");
  });
});

describe("sweval-run probe", () => {
  const children: Array<{ kill(): void }> = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill();
  });

  it("finds the largest n the endpoint accepts, records it, and the resolver then uses it for max_n", async () => {
    const port = await freePort();
    const server = spawn(
      process.execPath,
      [join(repoRoot, "packages/inference-runner/dist/rehearse/server.js"), "serve", "org/model", "--port", String(port)],
      {
        env: { ...process.env, SWEVAL_REHEARSE_VLLM_MAX_N: "7", SWEVAL_REHEARSE_VLLM_DELAY_MS: "0" },
        stdio: "ignore",
      },
    );
    children.push(server);
    for (let i = 0; i < 50; i++) {
      if (
        await fetch(`http://127.0.0.1:${port}/health`)
          .then((r) => r.ok)
          .catch(() => false)
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const root = await testdir();
    const result = await runBin(
      runBinPath,
      ["probe", "--provider", "vllm", "--model", "org/model", "--base-url", `http://127.0.0.1:${port}/v1`, "--write", "--json"],
      { cwd: root },
    );
    const probe = JSON.parse(result.stdout);
    expect(probe).toMatchObject({ answered: true, maxN: 7 });
    expect(probe.tried.map((t: { n: number }) => t.n)).toEqual([1, 5, 10, 7, 8]);
    const plan = await resolvePlan({
      model: "org/model",
      root,
      offline: true,
      env: { HOME: root },
      tasks: ["ja_gpqa"],
      tasksRuntime: join(repoRoot, "conf/tasks_runtime.csv"),
      taskSettings: join(repoRoot, "generation_settings/task_settings.csv"),
    });
    expect(plan.tasks[0]?.generation.max_n).toMatchObject({
      value: 7,
      source: { layer: "provider-limits", file: join(root, "conf/provider_limits.json") },
    });
    writeFileSync(join(root, "unused"), "");
  }, 30_000);

  it("exits 1 when the endpoint does not answer", async () => {
    const port = await freePort();
    const result = await runBin(runBinPath, [
      "probe",
      "--provider",
      "vllm",
      "--model",
      "org/model",
      "--base-url",
      `http://127.0.0.1:${port}/v1`,
    ]);
    expect([result.exitCode, result.stdout]).toEqual([1, expect.stringMatching(/does NOT answer/)]);
  });
});
