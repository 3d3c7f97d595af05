import { describe, expect, it } from "vitest";
import { z } from "zod";
import { EnvReportSchema } from "./schema.js";

describe("published JSON Schemas", () => {
  it("env.schema.json matches EnvReportSchema", async () => {
    await expect(`${JSON.stringify(z.toJSONSchema(EnvReportSchema), null, 2)}\n`).toMatchFileSnapshot("../schema/env.schema.json");
  });
});
