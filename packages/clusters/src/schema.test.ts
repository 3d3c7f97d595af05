import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ClusterProfileSchema } from "./schema.js";

// The committed JSON Schema is generated from the zod schema; this test keeps them in step.
describe("published JSON Schemas", () => {
  it("cluster-profile.schema.json matches ClusterProfileSchema", async () => {
    await expect(`${JSON.stringify(z.toJSONSchema(ClusterProfileSchema, { io: "input" }), null, 2)}\n`).toMatchFileSnapshot(
      "../schema/cluster-profile.schema.json",
    );
  });
});
