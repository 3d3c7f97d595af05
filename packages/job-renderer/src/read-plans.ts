import { InputError, parseDocument, parseJsonStream } from "@sweval/core";
import { type ClusterProfile, PLAN_KIND, PLAN_VERSION, type Plan, PlanSchema, readClusterProfile } from "@sweval/settings-resolver";

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
    ),
  );
}

/** Loads the cluster profile each plan names. */
export async function loadProfiles(plans: Plan[]): Promise<Map<string, ClusterProfile>> {
  const profiles = new Map<string, ClusterProfile>();
  for (const plan of plans) {
    if (profiles.has(plan.cluster.profilePath)) continue;
    const { profile } = await readClusterProfile(plan.cluster.profilePath, "/");
    profiles.set(plan.cluster.profilePath, profile);
  }
  return profiles;
}
