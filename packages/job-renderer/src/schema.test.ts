import { describe, expect, it } from "vitest";
import { z } from "zod";
import { JobsManifestSchema } from "./schema.js";

describe("published JSON Schemas", () => {
  it("jobs.schema.json matches JobsManifestSchema", async () => {
    await expect(`${JSON.stringify(z.toJSONSchema(JobsManifestSchema), null, 2)}\n`).toMatchFileSnapshot("../schema/jobs.schema.json");
  });
});
