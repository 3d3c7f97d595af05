import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { readAggregateConf } from "./conf.js";
import { AggregateConfSchema, AggregatedResultsSchema } from "./schema.js";

describe("published JSON Schemas", () => {
  it.each([
    ["aggregate-conf", AggregateConfSchema],
    ["aggregated-results", AggregatedResultsSchema],
  ] as const)("%s.schema.json matches its zod schema", async (name, schema) => {
    await expect(`${JSON.stringify(z.toJSONSchema(schema, { io: "input" }), null, 2)}\n`).toMatchFileSnapshot(
      `../schema/${name}.schema.json`,
    );
  });
});

describe("the resolved-table cache", () => {
  it("serves an unchanged table from the cache and re-reads an edited one", async () => {
    const root = await testdir();
    const file = join(root, "t.yaml");
    const table = (columns: string[]) =>
      `kind: sweval/aggregate-conf\nversion: 1\nname: t\ncolumns:\n${columns.map((c) => `  - { name: ${c}, fn: pick, metric: m, task: "s|t|0" }`).join("\n")}\n`;
    writeFileSync(file, table(["a"]));
    const first = readAggregateConf(file, root);
    expect(readAggregateConf(file, root)).toEqual(first);
    writeFileSync(file, table(["a", "b"]));
    expect(readAggregateConf(file, root).columns.map((c) => c.name)).toEqual(["a", "b"]);
    writeFileSync(file, "kind: [");
    expect(() => readAggregateConf(file, root)).toThrow(/malformed YAML/);
  });
});
