import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sharedRoot, skipNote } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { openDetails, readRows, toSample } from "../src/index.js";

const dir = join(sharedRoot, "reference/parquet-fixtures");
const have = skipNote(existsSync(dir), "the pyarrow fixture readings", `${dir} is absent (../shared beside the repo)`);
const FILES = [
  ["details_swallow|japanese_mt_bench|0_2025-08-18T12-34-56.789012.parquet", "swallow", "swallow.truth.jsonl"],
  ["details_swallow|gpqa:diamond|0_2025-08-18T12-30-00.123456.parquet", "flat", "flat.truth.jsonl"],
  ["details_swallow|math_500|0_2025-08-18T12-40-00.000002.zstd.parquet", "flat", "flat.truth.jsonl"],
  ["details_lighteval|gsm8k|0_2025-10-01T09-00-00.000001.parquet", "new", "new.truth.jsonl"],
  ["details_custom|mmlu:anatomy|5_2025-01-10T08-00-00.000001.parquet", "str", "str.truth.jsonl"],
] as const;

const truth = (name: string) =>
  readFileSync(join(dir, name), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));

describe.skipIf(!have)(
  have ? "the golden files written by datasets + pyarrow" : "golden files (skipped: ../shared/reference/parquet-fixtures is absent)",
  () => {
    it.each(FILES)("%s reads exactly as its truth file, as layout %s", async (file, layout, truthFile) => {
      const details = await openDetails(join(dir, file));
      expect(details.layout).toBe(layout);
      const rows = await readRows(details);
      expect(rows).toEqual(truth(truthFile));
    });

    it.each(FILES)("%s reads a middle page exactly", async (file, _layout, truthFile) => {
      const details = await openDetails(join(dir, file));
      expect(await readRows(details, { start: 17, end: 23 })).toEqual(truth(truthFile).slice(17, 23));
    });

    it("normalises every layout into the same sample model", async () => {
      for (const [file, layout] of FILES) {
        const details = await openDetails(join(dir, file));
        const [row] = await readRows(details, { start: 0, end: 1 });
        const sample = toSample(row as Record<string, unknown>, details.layout, 0);
        expect(Array.isArray(sample.predictions), file).toBe(true);
        expect(typeof sample.metrics, file).toBe("object");
        if (layout === "swallow") expect((sample.prompt as Array<{ role: string }>)[0]).toHaveProperty("role");
        if (layout === "swallow") expect(Array.isArray(sample.predictions[0])).toBe(true);
        if (layout === "str") expect(typeof sample.metrics).toBe("object");
        if (layout === "new") expect(sample.reasoning === null || Array.isArray(sample.reasoning)).toBe(true);
      }
    });
  },
);

describe.skipIf(!have)(have ? "reading without a file system" : "reading without a file system (skipped: fixtures absent)", () => {
  it("opens details from an in-memory buffer, as a browser would from a URL", async () => {
    const { openDetailsBuffer } = await import("../src/index.js");
    const bytes = readFileSync(join(dir, "details_swallow|gpqa:diamond|0_2025-08-18T12-30-00.123456.parquet"));
    const details = await openDetailsBuffer(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), "in-memory");
    expect(await readRows(details, { start: 0, end: 5 })).toEqual(truth("flat.truth.jsonl").slice(0, 5));
  });
});
