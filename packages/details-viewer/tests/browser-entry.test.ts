import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const require = createRequire(import.meta.url);

/** Every module the browser entry reaches, following relative and @sweval imports (npm packages are resolved by the bundler). */
function reach(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, "utf8");
  for (const [, specifier] of text.matchAll(/(?:import|export)[^'"]*from\s+["']([^"']+)["']|import\(["']([^"']+)["']\)/g)) {
    if (!specifier) continue;
    if (specifier.startsWith(".")) reach(resolve(dirname(file), specifier), seen);
    else if (specifier.startsWith("@sweval/")) reach(require.resolve(specifier), seen);
    else seen.add(specifier);
  }
  return seen;
}

describe("the ./browser entry", () => {
  it("reaches no node: module, so it bundles for a web page", () => {
    const modules = [...reach(join(dist, "browser.js"))];
    expect(modules.filter((m) => m.startsWith("node:") || ["fs", "path", "child_process"].includes(m))).toEqual([]);
    expect(modules).toContain("hyparquet");
  });
});
