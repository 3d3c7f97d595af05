import { describe, expect, it } from "vitest";
import { z } from "zod";
import { PlanSchema } from "./schema.js";

// The committed JSON Schemas are generated from the zod schemas; this test keeps them in step.
describe("published JSON Schemas", () => {
  it("plan.schema.json matches PlanSchema", async () => {
    await expect(`${JSON.stringify(z.toJSONSchema(PlanSchema, { io: "input" }), null, 2)}\n`).toMatchFileSnapshot(
      "../schema/plan.schema.json",
    );
  });
});
