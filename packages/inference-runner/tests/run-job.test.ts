import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { listDetails, openDetails, readRows, toSample } from "@sweval/details-viewer";
import { describe, expect, it } from "vitest";
import { cachedModelEnv, planFile, processesIn, run, runBinPath, STAND_IN_LIGHTEVAL, STAND_IN_VLLM } from "./helpers.js";

/** lighteval 0.8.0's Detail fields, which datasets writes sorted (legacy-workflow §10.3). */
const SWALLOW_COLUMNS = [
  "example",
  "instruction",
  "full_prompt",
  "num_effective_few_shots",
  "num_asked_few_shots",
  "predictions",
  "prediction_logits",
  "input_tokens",
  "cont_tokens",
  "truncated",
  "padded",
  "gold",
  "pred_logits",
  "choices",
  "gold_index",
  "metrics",
  "specifics",
];

const MODEL = "tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5";

describe("sweval-run against stand-in vLLM and lighteval", () => {
  it("serves once for tasks that share serving settings, runs lighteval per task, aggregates and prints the completion line each time", async () => {
    const { repo, path } = await planFile();
    const result = await run(["--plan", path, "--task", "ja_gpqa", "--task", "en_math_500"]);
    expect(result.stderr).not.toMatch(/❌/);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.match(/🚀 starting vLLM/g)).toHaveLength(1);
    expect(result.stdout.match(/✅ Result aggregation was successfully done\./g)).toHaveLength(2);
    expect(result.stdout).toMatch(/✅ VLLM server is stopped\./);
    const results = join(repo, "results/hosted_vllm", MODEL, "default");
    const aggregated = JSON.parse(readFileSync(join(results, "aggregated_results.json"), "utf8"));
    expect(aggregated.model).toBe(`hosted_vllm/${MODEL}`);
    // The score is the fork's results row for the task: the mean of the documents the rehearsal evaluated.
    const [resultsFile] = readdirSync(join(repo, "lighteval/outputs/results/hosted_vllm", MODEL, "default")).filter((f) =>
      f.startsWith("results_"),
    );
    const written = JSON.parse(
      readFileSync(join(repo, "lighteval/outputs/results/hosted_vllm", MODEL, "default", resultsFile ?? ""), "utf8"),
    );
    expect(aggregated.results.gpqa_main_ja).toBe(written.results["swallow|swallow_gpqa_ja|0"].extractive_match);
    const vllmLog = readFileSync(join(results, "ja/gpqa/ja_gpqa.vllm4242"), "utf8");
    expect(vllmLog).toMatch(/INFO rehearsal vLLM stand-in/);
    expect(vllmLog).toMatch(/WARNING .* goes to stderr/);
    const yaml = readFileSync(
      join(repo, "lighteval/outputs/results/hosted_vllm", MODEL, "default/model_config_swallow_gpqa_ja.yaml"),
      "utf8",
    );
    expect(yaml).toMatch(
      /^model:\n {4}base_params:\n {8}model_name: hosted_vllm\/tokyotech-llm\/Llama-3\.1-Swallow-8B-Instruct-v0\.5\n {8}base_url: http:\/\/localhost:\d+\/v1\n/,
    );
    expect(yaml).toMatch(/ {4}generation:\n {8}temperature: 0\.0\n$/);
    // The stand-in's details are the Swallow fork's layout: what the details viewer then reads, with the run's scores.
    const entries = await listDetails(join(repo, "lighteval/outputs"));
    const gpqa = entries.find((entry) => entry.task === "swallow|swallow_gpqa_ja|0");
    expect(gpqa, JSON.stringify(entries.map((e) => [e.task, e.layout, e.model]))).toMatchObject({
      layout: "swallow",
      rows: 10,
      model: `hosted_vllm/${MODEL}/default`,
    });
    const details = await openDetails(gpqa?.path ?? "");
    expect(details.columns).toEqual([...SWALLOW_COLUMNS].sort());
    const [first] = await readRows(details, { start: 1, end: 2 });
    const sample = toSample(first ?? {}, details.layout, 1);
    // The profile's system_message reached lighteval as --system-prompt, so the fork puts it first.
    expect(sample.prompt).toEqual([
      { role: "system", content: "あなたは誠実で優秀な日本人のアシスタントです。" },
      { role: "user", content: expect.stringMatching(/^\[REHEARSAL\] question 2 of swallow\|swallow_gpqa_ja/) },
    ]);
    expect(Object.keys(sample.metrics)).toEqual(Object.keys(gpqa?.scores ?? {}));
  }, 60_000);

  it.each([
    ["never-healthy", ["--health-timeout", "2"], /vLLM did not become healthy \(no answer from http:\/\/127\.0\.0\.1:\d+\/health in 2 s\)/],
    ["die", [], /vLLM exited during startup \(exit 1\)[\s\S]*RuntimeError: rehearsal stand-in asked to die/],
  ])(
    "exits 3 when the server is %s, with the last lines of its log",
    async (mode, extra, message) => {
      const { path } = await planFile({ tasks: ["ja_gpqa"] });
      const result = await run(["--plan", path, "--task", "ja_gpqa", ...extra], { SWEVAL_REHEARSE_VLLM_MODE: mode });
      expect(result.exitCode).toBe(3);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).not.toMatch(/successfully done/);
    },
    60_000,
  );

  it("exits 4 when lighteval fails, and stops the server", async () => {
    const { path } = await planFile({ tasks: ["ja_gpqa"], model: "org/lighteval-fails", customSettings: "" });
    const result = await run(["--plan", path, "--task", "ja_gpqa"], { SWEVAL_REHEARSE_LIGHTEVAL_MODE: "fail" });
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toMatch(/❌ lighteval failed for ja_gpqa \(exit 1\)/);
    expect(spawnSync("pgrep", ["-f", "org/lighteval-fails"]).status).toBe(1);
  }, 60_000);

  it("kills a server that ignores SIGTERM after the grace period", async () => {
    const { path } = await planFile({ tasks: ["ja_gpqa"], model: "org/stubborn-server", customSettings: "" });
    const result = await run(["--plan", path, "--task", "ja_gpqa"], {
      SWEVAL_REHEARSE_VLLM_MODE: "ignore-sigterm",
      SWEVAL_STOP_GRACE_MS: "1500",
    });
    expect(result.exitCode).toBe(0);
    expect(spawnSync("pgrep", ["-f", "org/stubborn-server"]).status).toBe(1);
  }, 60_000);

  it("leaves no process of either group behind when the runner itself is killed mid-run", async () => {
    const marker = `org/killed-${process.pid}`;
    const { path } = await planFile({ tasks: ["ja_gpqa"], model: marker, customSettings: "" });
    const child = spawn(process.execPath, [runBinPath, "--plan", path, "--task", "ja_gpqa"], {
      env: {
        ...process.env,
        ...cachedModelEnv(path),
        HOME: "/nonexistent-home",
        SWEVAL_VLLM_CMD: STAND_IN_VLLM,
        SWEVAL_LIGHTEVAL_CMD: JSON.stringify(["bash", "-c", `sleep 300; true # ${marker}`, "lighteval"]),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    for (let i = 0; i < 100 && !stdout.includes("🧪"); i++) await new Promise((r) => setTimeout(r, 100));
    expect(spawnSync("pgrep", ["-f", marker]).stdout.toString().trim().split("\n").length).toBeGreaterThanOrEqual(2);
    child.kill("SIGTERM");
    const code = await new Promise((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(143);
    expect(spawnSync("pgrep", ["-f", marker]).status).toBe(1);
  }, 60_000);

  it("leaves no vLLM server and no lighteval behind when sweval-run itself is killed (SIGKILL, as a walltime kill does)", async () => {
    const { path, repo } = await planFile({ tasks: ["ja_gpqa"] });
    const child = spawn(process.execPath, [runBinPath, "--plan", path, "--task", "ja_gpqa"], {
      env: {
        ...process.env,
        ...cachedModelEnv(path),
        HOME: "/nonexistent-home",
        SWEVAL_VLLM_CMD: STAND_IN_VLLM,
        SWEVAL_LIGHTEVAL_CMD: STAND_IN_LIGHTEVAL,
        SWEVAL_REHEARSE_LIGHTEVAL_MODE: "hang",
        SWEVAL_STOP_GRACE_MS: "2000",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    for (let i = 0; i < 150 && !stdout.includes("🧪"); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    // The server and lighteval, each with its guard, all run in the repo.
    expect(processesIn(repo).length).toBeGreaterThanOrEqual(4);
    child.kill("SIGKILL");
    for (let i = 0; i < 100 && processesIn(repo).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(processesIn(repo)).toEqual([]);
  }, 60_000);

  it("a rehearsal makes the job-start checks too, on a model it lays out in the Hugging Face cache layout", async () => {
    const { repo, path } = await planFile({ tasks: ["ja_gpqa"] });
    const result = await run(["--plan", path, "--task", "ja_gpqa", "--rehearse"], { HF_HOME: "/nonexistent-cache" });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain("🤖 Auto-detected max model length: 32768");
    expect(result.stdout).toMatch(/starting vLLM: .* --max-model-len 32768 /);
    const cache = join(repo, "results/rehearsal/hosted_vllm", MODEL, "default/.hf-cache/hub", `models--${MODEL.replace("/", "--")}`);
    expect(readFileSync(join(cache, "refs/main"), "utf8")).toMatch(/^0{40}$/);
  }, 60_000);

  it("exits 2 for a task that is not in the plan, and for a plan that is not a plan", async () => {
    const { path, repo } = await planFile({ tasks: ["ja_gpqa"] });
    const missing = await run(["--plan", path, "--task", "en_mmlu"]);
    expect([missing.exitCode, missing.stderr]).toEqual([2, expect.stringMatching(/field "--task": task en_mmlu is not in the plan/)]);
    const bad = await run(["--plan", join(repo, "nope.json"), "--task", "x"]);
    expect([bad.exitCode, bad.stderr]).toEqual([2, expect.stringMatching(/nope\.json: plan not found/)]);
    expect(existsSync(join(repo, "results"))).toBe(false);
  });
});
