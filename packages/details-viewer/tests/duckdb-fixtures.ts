import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** Rows in the Swallow layout: chat-message prompts, list predictions, struct metrics and specifics, Japanese text. */
export function swallowRows(count: number, seed = 1, flip: (index: number) => boolean = () => false) {
  return Array.from({ length: count }, (_, i) => {
    const right = ((i * 7 + seed) % 3 !== 0) !== flip(i);
    return {
      choices: [],
      example: `質問 ${i}: What is ${i} + ${seed}? 𠮷`,
      full_prompt: [
        { role: "system", content: "あなたは誠実で優秀な日本人のアシスタントです。" },
        { role: "user", content: `Question ${i}: what is ${i} + ${seed}?` },
      ],
      gold: [String(i + seed)],
      gold_index: [0],
      instruction: "",
      metrics: { extractive_match: right ? 1 : 0 },
      predictions: [right ? `The answer is ${i + seed}.` : "I am not sure 🤔"],
      specifics: { extracted: right ? String(i + seed) : null },
      truncated: [0],
    };
  });
}

const COLUMNS =
  "{choices: 'VARCHAR[]', example: 'VARCHAR', full_prompt: 'STRUCT(role VARCHAR, content VARCHAR)[]', gold: 'VARCHAR[]', gold_index: 'BIGINT[]', instruction: 'VARCHAR', metrics: 'STRUCT(extractive_match BIGINT)', predictions: 'VARCHAR[]', specifics: 'STRUCT(extracted VARCHAR)', truncated: 'BIGINT[]'}";

/** Writes rows with DuckDB (an independent C++ writer): a codec, a page version and a row group size. */
export async function writeWithDuckdb(
  dir: string,
  name: string,
  rows: unknown[],
  options: { codec: string; version: "V1" | "V2"; rowGroupSize: number },
): Promise<string> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const json = join(dir, `${name}.json`);
  writeFileSync(json, JSON.stringify(rows));
  const out = join(dir, `${name}.parquet`);
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  await connection.run(
    `COPY (SELECT * FROM read_json('${json}', format='array', columns=${COLUMNS})) TO '${out}' (FORMAT parquet, COMPRESSION ${options.codec}, ROW_GROUP_SIZE ${options.rowGroupSize}, PARQUET_VERSION ${options.version})`,
  );
  connection.closeSync();
  instance.closeSync();
  return out;
}
