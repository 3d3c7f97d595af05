import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runBin, testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { openDetails, readRows } from "../src/index.js";
import { DetailsDiffSchema } from "../src/schema.js";
import { swallowRows, writeWithDuckdb } from "./duckdb-fixtures.js";

const bin = fileURLToPath(new URL("../bin/sweval-details.js", import.meta.url));

describe("files written by DuckDB", () => {
  it.each([
    ["snappy", "V1", 2048, 5000],
    ["zstd", "V2", 2048, 5000],
    ["gzip", "V1", 122880, 300],
    ["uncompressed", "V2", 122880, 300],
  ] as const)(
    "read exactly with codec %s, %s pages, row groups of %i",
    async (codec, version, rowGroupSize, count) => {
      const dir = await testdir();
      const rows = swallowRows(count);
      const path = await writeWithDuckdb(dir, `details_swallow|gpqa:diamond|0_2025-08-18T12-30-00.${codec}${version}`, rows, {
        codec,
        version,
        rowGroupSize,
      });
      const details = await openDetails(path);
      expect([details.numRows, details.layout]).toEqual([count, "swallow"]);
      // Small row groups really are several; DuckDB rounds the size to its 2048-row vectors.
      if (rowGroupSize < count) expect(details.metadata.row_groups.length).toBeGreaterThan(1);
      expect(await readRows(details)).toEqual(rows);
      expect(await readRows(details, { start: 2040, end: 2060 })).toEqual(rows.slice(2040, 2060));
    },
    30_000,
  );

  it("diff finds the flips between two runs and their McNemar p-value", async () => {
    const dir = await testdir();
    mkdirSync(join(dir, "a"));
    const a = await writeWithDuckdb(join(dir), "details_a", swallowRows(60), { codec: "snappy", version: "V1", rowGroupSize: 100 });
    // Run B gets 12 samples right that A got wrong and 2 wrong that A got right.
    const inA = swallowRows(60).map((row, i) => [row.metrics.extractive_match, i] as const);
    const fixed = new Set(
      inA
        .filter(([m]) => m === 0)
        .map(([, i]) => i)
        .slice(0, 12),
    );
    const broken = new Set(
      inA
        .filter(([m]) => m === 1)
        .map(([, i]) => i)
        .slice(0, 2),
    );
    const b = await writeWithDuckdb(
      dir,
      "details_b",
      swallowRows(60, 1, (i) => fixed.has(i) || broken.has(i)),
      { codec: "zstd", version: "V2", rowGroupSize: 10 },
    );
    const [result] = DetailsDiffSchema.parse(JSON.parse((await runBin(bin, ["diff", a, b, "--json"])).stdout)).tasks;
    expect(result?.wrongToRight).toEqual([...fixed].sort((x, y) => x - y));
    expect(result?.rightToWrong).toEqual([...broken]);
    expect(result?.pValue).toBeCloseTo(0.01294, 4);
  }, 30_000);
});
