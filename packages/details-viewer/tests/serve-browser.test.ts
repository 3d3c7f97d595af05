import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromiumPath, launchChromium, testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { swallowRows, writeWithDuckdb } from "./duckdb-fixtures.js";

const bin = fileURLToPath(new URL("../bin/sweval-details.js", import.meta.url));

/** Two runs of one task in lighteval's details layout; run B fixes 5 samples run A got wrong. */
async function twoRuns() {
  const root = await testdir();
  const runA = join(root, "hosted_vllm/org/model/default/2025-08-18T12-30-00.000001");
  const runB = join(root, "hosted_vllm/org/model/default/2025-08-19T09-00-00.000001");
  mkdirSync(runA, { recursive: true });
  mkdirSync(runB, { recursive: true });
  const rowsA = swallowRows(120);
  const wrong = rowsA
    .map((r, i) => [r.metrics.extractive_match, i] as const)
    .filter(([m]) => m === 0)
    .map(([, i]) => i);
  const fixed = new Set(wrong.slice(0, 5));
  await writeWithDuckdb(runA, "details_swallow|gpqa:diamond|0_2025-08-18T12-30-00.000001", rowsA, {
    codec: "snappy",
    version: "V1",
    rowGroupSize: 122880,
  });
  await writeWithDuckdb(
    runB,
    "details_swallow|gpqa:diamond|0_2025-08-19T09-00-00.000001",
    swallowRows(120, 1, (i) => fixed.has(i)),
    { codec: "zstd", version: "V2", rowGroupSize: 122880 },
  );
  return { root, wrongInA: wrong.length };
}

describe.skipIf(!chromiumPath && !process.env.CI)(
  chromiumPath ? "the details page in headless Chromium" : "the details page (skipped: chromium is not installed)",
  () => {
    it("lists runs, filters a task's samples, opens a sample with its chat messages, and shows the two-run diff", async () => {
      const { root, wrongInA } = await twoRuns();
      const server = spawn(process.execPath, [bin, "serve", root], { stdio: ["ignore", "pipe", "pipe"] });
      const { browser, close } = await launchChromium();
      try {
        const url = await new Promise<string>((resolve) => server.stdout.on("data", (chunk) => resolve(String(chunk).trim())));
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
        const page = await browser.newPage();
        await page.goto(url);
        expect(await page.locator("a.task").count()).toBe(2);
        await page.locator("a.task").last().click();
        expect(await page.locator("tr.sample").count()).toBe(50);
        expect(await page.locator("#next").count()).toBe(1);
        await page.locator('input[name="wrong"]').check();
        await page.locator("#filters button").click();
        expect(await page.locator("tr.sample").count()).toBe(wrongInA);
        await page.locator("#filters input[name=where]").fill("extractive_match>0");
        await page.locator('input[name="wrong"]').uncheck();
        await page.locator("#filters button").click();
        expect(await page.locator("#count").textContent()).toMatch(new RegExp(`^${Math.min(50, 120 - wrongInA)} sample`));
        await page.locator("tr.sample a").first().click();
        expect(await page.locator(".message.role-system").textContent()).toContain("あなたは誠実で優秀な日本人のアシスタントです。");
        expect(await page.locator(".message.role-user").count()).toBe(1);
        expect(await page.locator(".prediction").first().textContent()).toMatch(/The answer is/);
        await page.goto(url);
        await page.locator('select[name="a"]').selectOption({ index: 1 });
        await page.locator('select[name="b"]').selectOption({ index: 0 });
        await page.locator("#diff-form button").click();
        expect(await page.locator("#summary").textContent()).toMatch(
          /120 pairs by prompt.*right→wrong 0, wrong→right 5; McNemar exact p = 0\.0625/,
        );
        expect(await page.locator("#wrong-to-right .pair").count()).toBe(5);
        const bad = await page.goto(`${url}task?file=../../etc/passwd`);
        expect(bad?.status()).toBe(400);
        expect(await page.locator(".error").textContent()).toMatch(/is not a file under/);
        const after = await page.goto(url);
        expect(after?.status()).toBe(200);
        if (process.env.SWEVAL_KEEP_SCREENSHOT) {
          await page.locator("a.task").last().click();
          await page.locator("tr.sample a").nth(3).click();
          await page.screenshot({ path: process.env.SWEVAL_KEEP_SCREENSHOT, fullPage: false });
        }
      } finally {
        await close();
        server.kill();
      }
    }, 60_000);
  },
);
