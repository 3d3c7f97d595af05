import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { realWriterPython, repoRoot, skipNote, swallowCheckout, testdir } from "@sweval/test-utils";
import { parquetMetadata } from "hyparquet";
import { describe, expect, it } from "vitest";

const standIn = join(repoRoot, "packages/inference-runner/dist/rehearse/lighteval.js");
const oracle = join(repoRoot, "packages/inference-runner/tests/oracle/fork_details.py");
const goldenFile = join(repoRoot, "packages/inference-runner/tests/golden/fork-details-schemas.json");

/** One task per family of real-programs.md §3.5, as the rehearsal runs it. */
const FAMILIES: Record<string, string> = {
  generative: "swallow|math_500|0|0",
  instruction: "swallow|mifeval_ja|0|0",
  sampling: "swallow|aime_N4|0|0",
  jhumaneval: "swallow|swallow_jhumaneval|0|0",
  lcb: "swallow|lcb:codegeneration_v5_v6|0|0",
  mt_bench: "swallow|japanese_mt_bench|0|0",
};
const CATEGORIES = /_(writing|roleplay|reasoning|math|coding|extraction|stem|humanities)(_|$)/;

interface Element {
  name: string;
  type?: string;
  num_children?: number;
  converted_type?: string;
  logical_type?: { type: string };
}

/**
 * A file's columns as Arrow types (`name: list<struct<role: string, content: string>>`), read from its parquet schema
 * the way pyarrow maps it back; MT-Bench's per-category judge fields are named <category>, since each file holds the
 * categories of its own rows.
 */
export function arrowColumns(file: string): string[] {
  const bytes = readFileSync(file);
  const schema = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)).schema as Element[];
  let at = 1;
  const node = (): { name: string; type: string } => {
    const element = schema[at++] as Element;
    const children = Array.from({ length: element.num_children ?? 0 }, () => node());
    if (element.converted_type === "LIST" || element.logical_type?.type === "LIST") {
      const inner = children[0] as { name: string; type: string };
      // The repeated "list" group holds the one "element".
      return { name: element.name, type: `list<${inner.type.replace(/^struct<element: (.*)>$/, "$1")}>` };
    }
    if (children.length > 0) {
      const fields = [...new Set(children.map((c) => `${c.name.replace(CATEGORIES, "_<category>$2")}: ${c.type}`))];
      return { name: element.name, type: `struct<${fields.join(", ")}>` };
    }
    const leaf =
      element.logical_type?.type === "UNKNOWN" || element.logical_type?.type === "NULL"
        ? "null"
        : element.type === "BYTE_ARRAY"
          ? "string"
          : element.type === "INT64"
            ? "int64"
            : element.type === "DOUBLE"
              ? "double"
              : element.type === "BOOLEAN"
                ? "bool"
                : (element.type ?? "?");
    return { name: element.name, type: leaf };
  };
  const columns: string[] = [];
  while (at < schema.length) {
    const column = node();
    columns.push(`${column.name}: ${column.type}`);
  }
  return columns;
}

/** The stand-in's details file for a task, as the runner would have it write one. */
async function rehearsalFile(taskDef: string, cwd?: string): Promise<string> {
  const out = await testdir();
  const config = join(out, "model_config.yaml");
  writeFileSync(config, "model:\n    base_params:\n        model_name: rehearsal/hosted_vllm/org/model\n        \n");
  const run = spawnSync(
    process.execPath,
    [standIn, "endpoint", "litellm", config, taskDef, "--use-chat-template", "--output-dir", out, "--output-subdir", "", "--save-details"],
    {
      encoding: "utf8",
      cwd: cwd ?? out,
    },
  );
  expect(run.status, run.stderr).toBe(0);
  const dir = join(out, "details/rehearsal/hosted_vllm/org/model");
  const [runDir = ""] = readdirSync(dir);
  const [file = ""] = readdirSync(join(dir, runDir));
  return join(dir, runDir, file);
}

const python = realWriterPython();
skipNote(
  Boolean(python),
  "making the real-writer fixtures with datasets + pyarrow",
  "SWEVAL_PYTHON (a python with datasets and pyarrow) is not set; comparing with the committed schemas that writer produced",
);

describe("the rehearsal's details parquet has the fork's columns, Arrow types and nesting, per family", () => {
  const golden = () => JSON.parse(readFileSync(goldenFile, "utf8")) as Record<string, string[]>;

  it.skipIf(!python)("the real writer (datasets + pyarrow, as the fork writes) still gives the committed schemas", async () => {
    const out = await testdir();
    const made = spawnSync(python as string, [oracle, out], { encoding: "utf8" });
    expect(made.status, made.stderr).toBe(0);
    const real = Object.fromEntries(Object.keys(FAMILIES).map((family) => [family, arrowColumns(join(out, `${family}.parquet`))]));
    await expect(`${JSON.stringify(real, null, 2)}\n`).toMatchFileSnapshot(goldenFile);
  });

  it.each(Object.entries(FAMILIES))(
    `%s (%s): column by column as ${python ? "the real writer's fixture" : "the committed real-writer schemas"}`,
    async (family, taskDef) => {
      // The N4 variants exist in a V5 checkout, whose table the stand-in then reads.
      const cwd = family === "sampling" ? await swallowCheckout("v202604") : undefined;
      expect(arrowColumns(await rehearsalFile(taskDef, cwd))).toEqual(golden()[family]);
    },
  );
});
