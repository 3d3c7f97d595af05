// Details viewer speed on ~300 MB details files in two layouts, against DuckDB (@duckdb/node-api) in the same run.
// Usage: node bench/details.mjs [rows=24000]   (npm run build first; needs packages/details-viewer's devDependencies)
// Each measurement runs in a fresh process, which reports its wall time and peak RSS.
import { execFileSync } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const viewer = join(root, "packages/details-viewer");

if (process.argv[2] === "--op") {
  const [, , , op, engine, file] = process.argv;
  const start = process.hrtime.bigint();
  let rows = 0;
  if (engine === "sweval") {
    const { openDetails, readRows, readPage, scanRows } = await import(join(viewer, "dist/index.js"));
    const details = await openDetails(file);
    if (op === "first50") rows = (await readRows(details, { start: 0, end: 50 })).length;
    if (op === "range") rows = (await readRows(details, { start: 20000, end: 20050 })).length;
    if (op === "where") rows = (await readPage(file, { where: "extractive_match<1", limit: 50 })).samples.length;
    if (op === "full") for await (const batch of scanRows(details)) rows += batch.length;
  } else {
    const { createRequire } = await import("node:module");
    const { DuckDBInstance } = createRequire(join(viewer, "package.json"))("@duckdb/node-api");
    const connection = await (await DuckDBInstance.create(":memory:")).connect();
    const metric = file.includes("/new") ? "metric.extractive_match" : "metrics.extractive_match";
    const sql = {
      first50: `SELECT * FROM read_parquet('${file}') LIMIT 50`,
      range: `SELECT * FROM read_parquet('${file}') LIMIT 50 OFFSET 20000`,
      where: `SELECT * FROM read_parquet('${file}') WHERE ${metric} < 1 LIMIT 50`,
      full: `SELECT * FROM read_parquet('${file}')`,
    }[op];
    const reader = await connection.runAndReadAll(sql);
    rows = reader.getRowObjects().length;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  // VmHWM is the peak RSS of this process image (reset by exec); ru_maxrss would carry the launcher's peak over.
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  const maxRssMb = hwm ? Number(hwm[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ seconds, rows, maxRssMb }));
  process.exit(0);
}

const count = Number(process.argv[2] ?? 24000);
const work = process.env.SWEVAL_BENCH_KEEP || mkdtempSync(join(tmpdir(), "sweval-bench-details-"));
// A large vocabulary keeps the text about as compressible as real prompts (snappy ~2×), so files reach ~300 MB.
const words = Array.from({ length: 50000 }, (_, i) => ((i * 2654435761) % 4294967296).toString(36)).concat(["日本語", "テキスト", "𠮷"]);
let seed = 7;
// mulberry32: integer arithmetic only, so the sequence does not collapse into a short cycle.
const rand = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const text = (n) => Array.from({ length: n }, () => words[Math.floor(rand() * words.length)]).join(" ");

async function jsonl(path, make) {
  const out = createWriteStream(path);
  for (let i = 0; i < count; i++) if (!out.write(`${JSON.stringify(make(i))}\n`)) await new Promise((r) => out.once("drain", r));
  await new Promise((r) => out.end(r));
}

try {
  const swallowJson = join(work, "swallow.jsonl");
  const newJson = join(work, "new.jsonl");
  await jsonl(swallowJson, (i) => ({
    example: text(800),
    full_prompt: [
      { role: "system", content: "あなたは誠実で優秀な日本人のアシスタントです。" },
      { role: "user", content: text(800) },
    ],
    gold: [String(i)],
    metrics: { extractive_match: rand() < 0.3 ? 0 : 1 },
    predictions: [text(300)],
    specifics: { extracted: String(i) },
  }));
  await jsonl(newJson, (i) => ({
    doc: { query: text(800), choices: ["A", "B", "C", "D"], gold_index: [i % 4], instruction: "", specific: { id: String(i) } },
    model_response: { text: [text(300)], reasonings: [text(250)], output_tokens: [[1, 2, 3]] },
    metric: { extractive_match: rand() < 0.3 ? 0 : 1 },
  }));
  const { createRequire } = await import("node:module");
  const requireHere = createRequire(join(viewer, "package.json"));
  const { DuckDBInstance } = requireHere("@duckdb/node-api");
  const connection = await (await DuckDBInstance.create(":memory:")).connect();
  const files = {
    "Swallow layout (DuckDB: snappy, ~130 MB row groups of one page per column, no page index)": join(work, "swallow.parquet"),
    "≥ 0.11 layout (datasets ≥ 4.1 style: snappy, 1 MiB pages, offset index)": join(work, "new-indexed.parquet"),
    "≥ 0.11 layout (DuckDB: zstd, 2048-row groups, no page index)": join(work, "new-zstd.parquet"),
  };
  const [swallowFile, indexedFile, zstdFile] = Object.values(files);
  await connection.run(
    `COPY (SELECT * FROM read_json('${swallowJson}', format='newline_delimited')) TO '${swallowFile}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 8192)`,
  );
  await connection.run(
    `COPY (SELECT * FROM read_json('${newJson}', format='newline_delimited')) TO '${zstdFile}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 2048)`,
  );
  writeIndexed(requireHere, newJson, indexedFile);
  console.log(`${count} rows per file\n`);
  const { parquetMetadata } = await import(join(viewer, "node_modules/hyparquet/src/index.js")).catch(() => import("hyparquet"));
  console.log("| file | MB | row groups | largest row group, MB compressed / uncompressed | offset index |");
  console.log("|---|---:|---:|---:|---|");
  for (const [label, file] of Object.entries(files)) {
    const bytes = readFileSync(file);
    const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const sizes = metadata.row_groups.map((group) =>
      group.columns.reduce(
        (sum, chunk) => [sum[0] + Number(chunk.meta_data.total_compressed_size), sum[1] + Number(chunk.meta_data.total_uncompressed_size)],
        [0, 0],
      ),
    );
    const largest = sizes.reduce((a, b) => (b[1] > a[1] ? b : a));
    const indexed = metadata.row_groups[0].columns.some((chunk) => chunk.offset_index_offset !== undefined);
    console.log(
      `| ${label} | ${(bytes.byteLength / 1e6).toFixed(0)} | ${sizes.length} | ${(largest[0] / 1e6).toFixed(0)} / ${(largest[1] / 1e6).toFixed(0)} | ${indexed ? "yes" : "no"} |`,
    );
  }
  console.log("");
  console.log("| file | op | sweval s | sweval peak MB | DuckDB s | DuckDB peak MB | time × DuckDB |");
  console.log("|---|---|---:|---:|---:|---:|---:|");
  for (const [label, file] of Object.entries(files)) {
    const size = (statSync(file).size / 1e6).toFixed(0);
    for (const op of ["first50", "range", "where", "full"]) {
      const run = (engine) =>
        JSON.parse(
          execFileSync(process.execPath, ["--max-old-space-size=8192", fileURLToPath(import.meta.url), "--op", op, engine, file], {
            encoding: "utf8",
          }),
        );
      // Best of three fresh processes each, interleaved so both see the same page cache and machine state.
      const best = (runs) => runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
      const pairs = [0, 1, 2].map(() => [run("sweval"), run("duckdb")]);
      const ours = best(pairs.map((p) => p[0]));
      const duck = best(pairs.map((p) => p[1]));
      console.log(
        `| ${label}, ${size} MB | ${op === "range" ? "rows 20000–20050" : op === "where" ? "--where metric<1 (first 50)" : op === "first50" ? "first 50 rows" : "full scan"} | ${ours.seconds.toFixed(2)} | ${ours.maxRssMb.toFixed(0)} | ${duck.seconds.toFixed(2)} | ${duck.maxRssMb.toFixed(0)} | ${(ours.seconds / duck.seconds).toFixed(2)} |`,
      );
    }
  }
} finally {
  if (!process.env.SWEVAL_BENCH_KEEP) rmSync(work, { recursive: true, force: true });
}

/**
 * The ≥ 0.11 rows written the way datasets ≥ 4.1 writes them: ~1 MiB pages and an offset index (pyarrow's page
 * index), snappy, row groups of 6,000 rows. hyparquet-writer stands in for pyarrow, which cannot run here.
 */
function writeIndexed(requireHere, jsonl, path) {
  const { parquetWriteBuffer } = requireHere("hyparquet-writer");
  const rows = readFileSync(jsonl, "utf8")
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line));
  for (const row of rows) {
    row.doc.gold_index = row.doc.gold_index.map(BigInt);
    row.model_response.output_tokens = row.model_response.output_tokens.map((tokens) => tokens.map(BigInt));
  }
  const utf8 = (name) => ({ name, type: "BYTE_ARRAY", repetition_type: "OPTIONAL", converted_type: "UTF8" });
  const list = (name, element) => [
    { name, repetition_type: "OPTIONAL", num_children: 1, converted_type: "LIST" },
    { name: "list", repetition_type: "REPEATED", num_children: 1 },
    ...element,
  ];
  const int64 = { name: "element", type: "INT64", repetition_type: "OPTIONAL" };
  const schema = [
    { name: "schema", num_children: 3 },
    { name: "doc", repetition_type: "OPTIONAL", num_children: 5 },
    utf8("query"),
    ...list("choices", [utf8("element")]),
    ...list("gold_index", [int64]),
    utf8("instruction"),
    { name: "specific", repetition_type: "OPTIONAL", num_children: 1 },
    utf8("id"),
    { name: "model_response", repetition_type: "OPTIONAL", num_children: 3 },
    ...list("text", [utf8("element")]),
    ...list("reasonings", [utf8("element")]),
    ...list("output_tokens", [
      { name: "element", repetition_type: "OPTIONAL", num_children: 1, converted_type: "LIST" },
      { name: "list", repetition_type: "REPEATED", num_children: 1 },
      int64,
    ]),
    { name: "metric", repetition_type: "OPTIONAL", num_children: 1 },
    { name: "extractive_match", type: "DOUBLE", repetition_type: "OPTIONAL" },
  ];
  const buffer = parquetWriteBuffer({
    schema,
    codec: "SNAPPY",
    pageSize: 1024 * 1024,
    rowGroupSize: 6000,
    columnData: ["doc", "model_response", "metric"].map((name) => ({ name, data: rows.map((row) => row[name]), offsetIndex: true })),
  });
  writeFileSync(path, new Uint8Array(buffer));
}
