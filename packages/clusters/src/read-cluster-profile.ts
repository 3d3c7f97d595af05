import { existsSync, readdirSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { didYouMean, formatIssues, InputError, readTextInput } from "@sweval/core";
import { type ClusterProfile, ClusterProfileSchema } from "./schema.js";

/** The cluster profiles shipped inside this package (copied from the repo's conf/clusters at build). */
export const embeddedClustersDir = fileURLToPath(new URL("../defaults/conf/clusters/", import.meta.url));

/** The cluster profile files available: the root's conf/clusters over the embedded ones. */
export function listClusterProfiles(root: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const dir of [embeddedClustersDir, join(root, "conf/clusters")]) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)) if (file.endsWith(".yaml")) found.set(file.slice(0, -5), join(dir, file));
  }
  return found;
}

/** Reads `--cluster NAME` (conf/clusters/NAME.yaml under root, else embedded) or `--cluster path.yaml`. */
export async function readClusterProfile(nameOrPath: string, root: string): Promise<{ profile: ClusterProfile; path: string }> {
  const path = locateProfile(nameOrPath, root);
  const text = await readTextInput(path, "cluster profile");
  const { parse: parseYaml } = await import("yaml");
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    const line = (error as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    throw new InputError(`malformed YAML: ${(error as Error).message.split("\n")[0]}`, { code: "E_YAML", file: path, line, cause: error });
  }
  const parsed = ClusterProfileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InputError(`invalid cluster profile: ${formatIssues(parsed.error.issues).join("; ")}`, {
      code: "E_SCHEMA",
      file: path,
      field: parsed.error.issues[0]?.path.join("."),
    });
  }
  const profile = parsed.data;
  if (!profile.nodeKinds[profile.defaultNodeKind]) {
    throw new InputError(`defaultNodeKind "${profile.defaultNodeKind}" is not one of nodeKinds`, {
      code: "E_SCHEMA",
      file: path,
      field: "defaultNodeKind",
    });
  }
  return { profile, path };
}

function locateProfile(nameOrPath: string, root: string): string {
  if (nameOrPath.endsWith(".yaml") || nameOrPath.includes("/")) return isAbsolute(nameOrPath) ? nameOrPath : resolve(root, nameOrPath);
  const available = listClusterProfiles(root);
  const path = available.get(nameOrPath);
  if (path) return path;
  throw new InputError(`unknown cluster "${nameOrPath}"${didYouMean(nameOrPath, available.keys())}`, {
    code: "E_UNKNOWN_CLUSTER",
    field: "--cluster",
    hint: `available: ${[...available.keys()].sort().join(", ")}`,
  });
}
