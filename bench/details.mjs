// Details viewer speed on ~300 MB details files in two layouts, against DuckDB (@duckdb/node-api) in the same run.
// Usage: node bench/details.mjs [rows=24000]   (npm run build first; needs packages/details-viewer's devDependencies)
// Each measurement runs in a fresh process, which reports its wall time and peak RSS.
import { execFileSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
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
    if (op === "full") for await (const batch of scanRows(details, { batch: 2000 })) rows += batch.length;
  } else {
    const { createRequire } = await import("node:module");
    const { DuckDBInstance } = createRequire(join(viewer, "package.json"))("@duckdb/node-api");
    const connection = await (await DuckDBInstance.create(":memory:")).connect();
    const metric = file.includes("new") ? "metric.extractive_match" : "metrics.extractive_match";
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
  process.stdout.write(JSON.stringify({ seconds, rows, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
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
  const { DuckDBInstance } = createRequire(join(viewer, "package.json"))("@duckdb/node-api");
  const connection = await (await DuckDBInstance.create(":memory:")).connect();
  const files = {
    "Swallow layout (snappy, ~100 MB row groups)": join(work, "swallow.parquet"),
    "≥ 0.11 layout (zstd, 2048-row groups)": join(work, "new.parquet"),
  };
  await connection.run(
    `COPY (SELECT * FROM read_json('${swallowJson}', format='newline_delimited')) TO '${files["Swallow layout (snappy, ~100 MB row groups)"]}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 8192)`,
  );
  await connection.run(
    `COPY (SELECT * FROM read_json('${newJson}', format='newline_delimited')) TO '${files["≥ 0.11 layout (zstd, 2048-row groups)"]}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 2048)`,
  );
  console.log(`${count} rows per file\n`);
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
      const ours = run("sweval");
      const duck = run("duckdb");
      console.log(
        `| ${label}, ${size} MB | ${op === "range" ? "rows 20000–20050" : op === "where" ? "--where metric<1 (first 50)" : op === "first50" ? "first 50 rows" : "full scan"} | ${ours.seconds.toFixed(2)} | ${ours.maxRssMb.toFixed(0)} | ${duck.seconds.toFixed(2)} | ${duck.maxRssMb.toFixed(0)} | ${(ours.seconds / duck.seconds).toFixed(2)} |`,
      );
    }
  }
} finally {
  if (!process.env.SWEVAL_BENCH_KEEP) rmSync(work, { recursive: true, force: true });
}
