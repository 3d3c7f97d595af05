import { InputError, parseDocument, parseJsonStream } from "@sweval/core";
import { PLAN_KIND, PLAN_VERSION, type Plan, PlanSchema } from "@sweval/settings-resolver/schema";

/** Parses one plan, several (JSON Lines) or a JSON array of plans, validating each against its schema. */
export function parsePlans(text: string, source: string): Plan[] {
  const documents = parseJsonStream(text, source);
  if (documents.length === 0)
    throw new InputError("no plan found: pipe sweval-resolve into sweval-render, or pass --plan FILE", { code: "E_NO_PLAN", file: source });
  return documents.map((document, index) =>
    parseDocument(
      PlanSchema,
      document,
      { kind: PLAN_KIND, version: PLAN_VERSION },
      documents.length > 1 ? `${source} (plan ${index + 1})` : source,
      "resolve the plan again with this sweval (sweval-resolve … | sweval-render …)",
    ),
  );
}
