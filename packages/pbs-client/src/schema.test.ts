import { describe, expect, it } from "vitest";
import { z } from "zod";
import { EstimateSchema } from "./estimate.js";
import { LedgerEntrySchema, StatusBoardSchema, SubmitResultSchema } from "./schema.js";

describe("published JSON Schemas", () => {
  it.each([
    ["ledger-entry", LedgerEntrySchema],
    ["status", StatusBoardSchema],
    ["submit-result", SubmitResultSchema],
    ["estimate", EstimateSchema],
  ] as const)("%s.schema.json matches its zod schema", async (name, schema) => {
    await expect(`${JSON.stringify(z.toJSONSchema(schema), null, 2)}\n`).toMatchFileSnapshot(`../schema/${name}.schema.json`);
  });
});
