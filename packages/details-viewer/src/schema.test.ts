import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DetailsDiffSchema, DetailsListingSchema, SampleLineSchema } from "./schema.js";

describe("published JSON Schemas", () => {
  it.each([
    ["details-listing", DetailsListingSchema],
    ["details-diff", DetailsDiffSchema],
    ["details-sample", SampleLineSchema],
  ] as const)("%s.schema.json matches its zod schema", async (name, schema) => {
    await expect(`${JSON.stringify(z.toJSONSchema(schema, { io: "input" }), null, 2)}\n`).toMatchFileSnapshot(
      `../schema/${name}.schema.json`,
    );
  });
});
