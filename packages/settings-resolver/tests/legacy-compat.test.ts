import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sharedRoot, skipNote, testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { renderLegacySettings, resolvePlan } from "../src/index.js";

const legacy = join(sharedRoot, "reference/legacy-data");
const haveShared = skipNote(existsSync(legacy), "legacy data compatibility", `${legacy} is absent (../shared beside the repo)`);
const PARAMS = [
  "system_message",
  "max_model_length",
  "max_new_tokens",
  "temperature",
  "top_p",
  "max_n",
  "reasoning_parser",
  "vllm_use_v1",
  "reasoning_effort",
];

/** An independent re-statement of setting_manager.py (legacy-workflow §3.3) over the raw files. */
function legacySettingManager(profileFile: string | null, setting: string | null, lightevalTask: string): string {
  const rows = readFileSync(join(legacy, "task_settings.csv"), "utf8").split("\n").slice(1);
  const row = rows.find((line) => line.startsWith(`${lightevalTask},`));
  if (!row) throw new Error(`no task row ${lightevalTask}`);
  const taskParams: Record<string, string> = {};
  for (const pair of row
    .slice(lightevalTask.length + 1)
    .replace(/^"|"$/g, "")
    .split(",")) {
    const [k, v] = pair.split("=");
    if (k && v !== undefined) taskParams[k] = v;
  }
  const body: Record<string, unknown> =
    profileFile && setting ? (parseYaml(readFileSync(profileFile, "utf8"), { version: "1.1", uniqueKeys: false })[setting] ?? {}) : {};
  const merged: Record<string, string> = {};
  for (const param of PARAMS) {
    const model = body[param];
    if (model !== null && model !== undefined) merged[param] = String(model);
    else if (taskParams[param] !== undefined) merged[param] = taskParams[param];
  }
  const lines = [
    profileFile ?? "",
    body.version === undefined ? "" : String(body.version),
    merged.max_model_length ?? "-1",
    merged.reasoning_parser ?? "",
    merged.vllm_use_v1 ?? "1",
    merged.system_message ?? "",
  ];
  const generation = ["max_new_tokens", "temperature", "top_p", "max_n", "reasoning_effort"].filter((p) => merged[p] !== undefined);
  if (generation.length) lines.push("    generation:", ...generation.map((p) => `        ${p}: ${merged[p]}`));
  return `${lines.join("\n")}\n`;
}

function legacyProfiles(): Array<{ modelId: string; file: string; setting: string }> {
  const dir = join(legacy, "custom_model_settings");
  const found: Array<{ modelId: string; file: string; setting: string }> = [];
  for (const org of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const name of readdirSync(join(dir, org.name)).filter((f) => f.endsWith(".yaml"))) {
      const file = join(dir, org.name, name);
      for (const setting of Object.keys(parseYaml(readFileSync(file, "utf8"), { version: "1.1", uniqueKeys: false }) ?? {})) {
        found.push({ modelId: `${org.name}/${name.slice(0, -5)}`, file, setting });
      }
    }
  }
  return found;
}

describe.skipIf(!haveShared)(
  haveShared ? "legacy data compatibility" : "legacy data compatibility (skipped: ../shared/reference/legacy-data is absent)",
  () => {
    const inputs = () => ({
      tasksRuntime: join(legacy, "tasks_runtime.csv"),
      taskSettings: join(legacy, "task_settings.csv"),
      customModelSettingsDir: join(legacy, "custom_model_settings"),
    });

    it("finds every profile of the legacy custom_model_settings", () => {
      expect(legacyProfiles().length).toBeGreaterThanOrEqual(20);
    });

    it("resolves every legacy profile for every legacy task exactly as setting_manager.py would print it", async () => {
      const home = await testdir();
      const tasksText = readFileSync(join(legacy, "tasks_runtime.csv"), "utf8");
      const taskRows = tasksText
        .split("\n")
        .slice(1)
        .filter(Boolean)
        .map((line) => line.split(",").map((f) => f.trim()));
      let compared = 0;
      for (const { modelId, file, setting } of legacyProfiles()) {
        const provider = modelId.startsWith("openai/") ? "openai" : "vllm";
        const plan = await resolvePlan({
          model: modelId,
          provider,
          cluster: "tsubame4",
          nodeKind: provider === "vllm" ? "node_q" : "cpu_16",
          customSettings: setting,
          tasks: ["all"],
          repoPath: "/repo",
          offline: true,
          env: { HOME: home },
          ...inputs(),
        });
        expect(plan.tasks).toHaveLength(taskRows.length);
        for (const [key, script, resultDir] of taskRows) {
          const task = plan.tasks.find((t) => t.key === key);
          expect(task?.lightevalTask).toBe(script);
          expect(task?.logDir).toBe(`/repo/results/${provider === "vllm" ? "hosted_vllm/" : ""}${modelId}/${setting}/${resultDir}`);
          expect(renderLegacySettings(plan, key ?? "")).toBe(legacySettingManager(file, setting, script ?? ""));
          compared++;
        }
        expect(plan.paths.rawResultsDir).toBe(
          `/repo/lighteval/outputs/results/${provider === "vllm" ? "hosted_vllm/" : ""}${modelId}/${setting}`,
        );
        expect(plan.paths.aggregatedResults).toBe(
          `/repo/results/${provider === "vllm" ? "hosted_vllm/" : ""}${modelId}/${setting}/aggregated_results.json`,
        );
      }
      expect(compared).toBeGreaterThan(400);
    });

    it("resolves with no custom settings like setting_manager.py with an empty name", async () => {
      const home = await testdir();
      const plan = await resolvePlan({
        model: "org/model",
        tasks: ["all"],
        repoPath: "/repo",
        offline: true,
        env: { HOME: home },
        cluster: "tsubame4",
        ...inputs(),
      });
      for (const task of plan.tasks)
        expect(renderLegacySettings(plan, task.key)).toBe(legacySettingManager(null, null, task.lightevalTask));
      expect(plan.paths.resultsDir).toBe("/repo/results/hosted_vllm/org/model");
      expect(plan.paths.outputSubdir).toBe("");
    });

    it.each([
      ["tasks_runtime.tsubame_6col_2025-07-23.csv", "node_q", 20],
      ["tasks_runtime.tsubame_2025-06-25.csv", "node_f", undefined],
    ])("reads the older %s", async (file, nodeKind, count) => {
      const home = await testdir();
      const plan = await resolvePlan({
        model: "tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5",
        cluster: "tsubame4",
        nodeKind,
        ...inputs(),
        tasksRuntime: join(legacy, file),
        tasks: ["all"],
        offline: true,
        env: { HOME: home },
      });
      if (count) expect(plan.tasks).toHaveLength(count);
      expect(plan.tasks.every((t) => t.walltime.seconds > 0)).toBe(true);
    });

    it("refuses a PBS node kind against the 6-column file, naming the missing column", async () => {
      const home = await testdir();
      await expect(
        resolvePlan({
          model: "org/m",
          cluster: "abci3",
          ...inputs(),
          tasksRuntime: join(legacy, "tasks_runtime.tsubame_6col_2025-07-23.csv"),
          offline: true,
          env: { HOME: home },
        }),
      ).rejects.toThrow(/tasks_runtime\.tsubame_6col_2025-07-23\.csv:2: field "wlt_HG": no "wlt_HG" column for en_hellaswag/);
    });

    it("rejects the template's reasoning_parser typo with the line it is on", async () => {
      const dir = await testdir({ "org/m.yaml": readFileSync(join(legacy, "custom_model_settings/template.yaml"), "utf8") });
      const home = await testdir();
      await expect(
        resolvePlan({
          model: "org/m",
          customSettings: "reasoning",
          ...inputs(),
          customModelSettingsDir: dir,
          offline: true,
          env: { HOME: home },
          tasks: ["en_math_500"],
        }),
      ).rejects.toThrow(
        /m\.yaml:\d+: field "reasoning\.reasoning_parser": unknown reasoning parser "deepseek-r1" \(did you mean "deepseek_r1"\?\)/,
      );
    });
  },
);
