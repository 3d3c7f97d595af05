import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { testdir } from "@sweval/test-utils";
import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { openDetails, plain, readPage, readRows, scanRows } from "../src/index.js";
import { rewriteAsV1Pages } from "./rewrite-pages.js";

// Nested columns of every shape the details layouts use, with nulls, empty lists and multi-byte text, written in
// row groups of 250 rows and pages of ~2 KB, so a range starts, ends and spans pages and row groups.
const COUNT = 600;

function truthRows() {
  return Array.from({ length: COUNT }, (_, i) => ({
    example: `問題 ${i} ${"x".repeat(i % 40)}`,
    full_prompt:
      i % 7 === 3
        ? []
        : [
            { role: "system", content: "s".repeat(i % 50) },
            { role: "user", content: `問${i} 𠮷 `.repeat(1 + (i % 13)) },
          ],
    predictions: i % 11 === 5 ? null : [`answer ${i}`.repeat(1 + (i % 5))],
    metrics: { acc: i % 3 === 0 ? 0 : 1 },
    cont_tokens: [[BigInt(i), 2n], [], [3n]],
    num_effective_few_shots: i % 17 === 0 ? null : BigInt(i % 5),
  }));
}

const S = (name: string, type: string, repetition_type = "OPTIONAL", extra: Record<string, unknown> = {}) => ({
  name,
  type,
  repetition_type,
  ...extra,
});
const list = (name: string) => [
  { name, repetition_type: "OPTIONAL", num_children: 1, converted_type: "LIST" },
  { name: "list", repetition_type: "REPEATED", num_children: 1 },
];
const SCHEMA = [
  { name: "root", num_children: 6 },
  S("example", "BYTE_ARRAY", "OPTIONAL", { converted_type: "UTF8" }),
  ...list("full_prompt"),
  { name: "element", repetition_type: "OPTIONAL", num_children: 2 },
  S("role", "BYTE_ARRAY", "OPTIONAL", { converted_type: "UTF8" }),
  S("content", "BYTE_ARRAY", "OPTIONAL", { converted_type: "UTF8" }),
  ...list("predictions"),
  S("element", "BYTE_ARRAY", "OPTIONAL", { converted_type: "UTF8" }),
  { name: "metrics", repetition_type: "OPTIONAL", num_children: 1 },
  S("acc", "DOUBLE"),
  ...list("cont_tokens"),
  ...list("element"),
  S("element", "INT64"),
  S("num_effective_few_shots", "INT64"),
];

function writeV2(offsetIndex: boolean): ArrayBuffer {
  const rows = truthRows();
  return parquetWriteBuffer({
    // biome-ignore lint/suspicious/noExplicitAny: hyparquet-writer's SchemaElement type is stricter than this literal
    schema: SCHEMA as any,
    pageSize: 2048,
    rowGroupSize: 250,
    columnData: Object.keys(rows[0] as object).map((name) => ({
      name,
      data: rows.map((row) => (row as Record<string, unknown>)[name]),
      offsetIndex,
    })),
  });
}

const variants: Array<[string, () => Uint8Array]> = [
  ["V2 pages with an offset index (hyparquet-writer)", () => new Uint8Array(writeV2(true))],
  ["V2 pages, no page index", () => new Uint8Array(writeV2(false))],
  ["V1 pages of 7 levels: records cut across pages", () => rewriteAsV1Pages(writeV2(false), 7)],
  ["V1 pages of 500 levels", () => rewriteAsV1Pages(writeV2(false), 500)],
];

describe.each(variants)("page-level reads: %s", (_label, write) => {
  const truth = truthRows().map((row) => plain(row) as Record<string, unknown>);

  async function open() {
    const path = join(await testdir(), "details_swallow|test|0_2025-08-18T12-30-00.000001.parquet");
    writeFileSync(path, write());
    return openDetails(path);
  }

  it("reads every row, and ranges that start, end and cross pages and row groups, exactly", async () => {
    const details = await open();
    expect(details.metadata.row_groups.length).toBe(3);
    expect(await readRows(details)).toEqual(truth);
    const ranges: Array<[number, number]> = [
      [0, 50],
      [3, 4],
      [249, 251],
      [240, 520],
      [599, 600],
      [0, 0],
    ];
    let seed = 11;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % COUNT;
    };
    for (let i = 0; i < 25; i++) {
      const a = next();
      ranges.push([a, Math.min(COUNT, a + 1 + (next() % 90))]);
    }
    for (const [a, b] of ranges) expect(await readRows(details, { start: a, end: b }), `rows ${a}..${b}`).toEqual(truth.slice(a, b));
  });

  it("reads only the columns asked for", async () => {
    const details = await open();
    const rows = await readRows(details, { start: 245, end: 260, columns: ["metrics", "cont_tokens"] });
    expect(rows).toEqual(truth.slice(245, 260).map((row) => ({ metrics: row.metrics, cont_tokens: row.cont_tokens })));
  });

  it("filters by metric and text, and pages through the matches with `next`", async () => {
    const details = await open();
    const wrong = truth.map((_, i) => i).filter((i) => i % 3 === 0);
    const page = await readPage(details.path, { where: "acc<1", start: 240, limit: 20 });
    expect(page.samples.map((sample) => sample.index)).toEqual(wrong.filter((i) => i >= 240).slice(0, 20));
    const grep = await readPage(details.path, { grep: "answer 7", limit: 100 });
    expect(grep.samples.map((sample) => sample.index)).toEqual([7, 70, 72, 73, 74, 75, 76, 77, 78, 79]);
    expect(grep.next).toBeNull();
    const seen: number[] = [];
    for (let start: number | null = 0; start !== null; ) {
      const result = await readPage(details.path, { onlyWrong: true, grep: "問", start, limit: 7 });
      seen.push(...result.samples.map((sample) => sample.index));
      start = result.next;
    }
    expect(seen).toEqual(wrong.filter((i) => i % 7 !== 3));
  });

  it("scans the whole file in batches that decode each page once", async () => {
    const details = await open();
    const batches: number[] = [];
    const rows: unknown[] = [];
    for await (const batch of scanRows(details, { batch: 37 })) {
      batches.push(batch.length);
      rows.push(...batch);
    }
    expect(rows).toEqual(truth);
    expect(Math.max(...batches)).toBe(37);
  });
});

describe("corrupt pages", () => {
  it("end in an InputError naming the file (or in rows), never in a hang or a crash", async () => {
    const { InputError } = await import("@sweval/core");
    const good = rewriteAsV1Pages(writeV2(false), 7);
    const footer = new DataView(good.buffer, good.byteOffset).getUint32(good.byteLength - 8, true);
    const dataEnd = good.byteLength - 8 - footer;
    const dir = await testdir();
    let failures = 0;
    for (let k = 1; k <= 40; k++) {
      const bytes = good.slice();
      const at = 4 + Math.floor(((dataEnd - 12) * k) / 41);
      bytes.fill(0xff, at, at + 8);
      const path = join(dir, `details_x|corrupt|0_2025-01-01T00-00-00.${k}.parquet`);
      writeFileSync(path, bytes);
      const details = await openDetails(path);
      try {
        await readRows(details);
        for await (const _ of scanRows(details)) {
          // reading is the test
        }
      } catch (error) {
        expect(error, `corrupt at byte ${at}`).toBeInstanceOf(InputError);
        expect((error as Error).message).toMatch(/row group \d+/);
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(10);
  }, 30_000);
});

describe("a scan of pages bigger than its read window", () => {
  it("streams them through the decompressor in windows and reads them exactly", async () => {
    // ~8 KB of hard-to-compress text per row, 400 rows in one V1 snappy page per column chunk: ~3 MB compressed.
    let seed = 5;
    // mulberry32: no short cycle for snappy to find.
    const random = () => {
      seed = (seed + 0x6d2b79f5) >>> 0;
      let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const noise = (n: number) => Array.from({ length: n }, () => String.fromCharCode(0x21 + Math.floor(random() * 90))).join("");
    const rows = Array.from({ length: 400 }, (_, i) => ({ example: `${i} ${noise(8000)}`, n: BigInt(i) }));
    const written = parquetWriteBuffer({
      columnData: [
        { name: "example", data: rows.map((r) => r.example), type: "STRING" },
        { name: "n", data: rows.map((r) => r.n), type: "INT64" },
      ],
    });
    const path = join(await testdir(), "details_x|big|0_2025-01-01T00-00-00.000001.parquet");
    writeFileSync(path, rewriteAsV1Pages(written, 100_000));
    const details = await openDetails(path);
    const file = details.file as typeof details.file & { readSync(start: number, end: number): Uint8Array };
    const readSync = file.readSync.bind(file);
    let windows = 0;
    file.readSync = (start, end) => {
      windows++;
      return readSync(start, end);
    };
    const seen: unknown[] = [];
    for await (const batch of scanRows(details, { batch: 64 })) seen.push(...batch);
    expect(seen).toEqual(rows.map((row) => plain(row)));
    expect(windows).toBeGreaterThan(1);
  });
});
