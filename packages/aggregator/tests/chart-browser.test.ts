import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromiumPath, launchChromium, testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { writeModel } from "../../../bench/aggregate-generate.mjs";

const bin = fileURLToPath(new URL("../bin/sweval-aggregate.js", import.meta.url));

describe.skipIf(!chromiumPath && !process.env.CI)(
  chromiumPath ? "the chart in headless Chromium" : "the chart in Chromium (skipped: chromium is not installed; .ci/run installs it)",
  () => {
    it("renders one chart per task group with a bar per model and value, and the numbers in a table", async () => {
      const root = await testdir();
      const models = [
        "hosted_vllm/tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5",
        "hosted_vllm/tokyotech-llm/Llama-3.3-Swallow-70B-Instruct-v0.4",
      ];
      for (const [i, model] of models.entries()) {
        writeModel(join(root, "raw", model), { model, seed: 90 + i, taskCount: 19 });
        spawnSync(process.execPath, [
          bin,
          "--model-name",
          model,
          "--raw-results-dir",
          join(root, "raw", model),
          "--aggregated-outputs-dir",
          join(root, "results", model),
          "-q",
        ]);
      }
      const out = join(root, "chart.html");
      expect(spawnSync(process.execPath, [bin, "chart", join(root, "results"), "--out", out]).status).toBe(0);
      const { browser, close } = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        await page.goto(pathToFileURL(out).href);
        expect(await page.locator("h1").textContent()).toBe("sweval: model comparison");
        const groups = await page.locator("section").evaluateAll((sections) => sections.map((s) => s.getAttribute("data-group")));
        expect(groups).toEqual(expect.arrayContaining(["JMMLU", "MMLU-ProX (ja)", "MT-Bench (ja)", "Single tasks"]));
        const jmmlu = page.locator('section[data-group="JMMLU"]');
        expect(await jmmlu.locator("rect.bar").count()).toBe(5 * 2);
        const firstRow = await jmmlu.locator("table tr").nth(1).locator("td").allTextContents();
        const written = JSON.parse(readFileSync(join(root, "results", models[0] as string, "aggregated_results.json"), "utf8"));
        expect(firstRow.slice(1)).toEqual(written.overall.split(",").slice(0, 5));
        const box = await jmmlu.locator("svg").boundingBox();
        expect(box?.width).toBeGreaterThan(100);
        await page.screenshot({ path: join(root, "chart.png"), fullPage: false });
        if (process.env.SWEVAL_KEEP_SCREENSHOT) await page.screenshot({ path: process.env.SWEVAL_KEEP_SCREENSHOT });
      } finally {
        await close();
      }
    }, 60_000);
  },
);
