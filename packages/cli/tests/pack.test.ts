import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";

interface Packed {
  name: string;
  files: Array<{ path: string }>;
}

describe("the published tarballs", () => {
  it("hold what each package runs and reads — dist, bins, embedded defaults, schemas, README, LICENSE — and no sources or tests", () => {
    // --ignore-scripts: the suite's build already made dist; prepack (an nx build) would only repeat it.
    const result = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts", "--workspaces"], {
      cwd: repoRoot,
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    expect(result.status, result.stderr).toBe(0);
    const packed = JSON.parse(result.stdout) as Packed[];
    const publishable = packed.filter((p) => p.name.startsWith("@sweval/") && p.name !== "@sweval/test-utils");
    expect(publishable.map((p) => p.name).sort()).toContain("@sweval/clusters");
    for (const { name, files } of publishable) {
      const paths = files.map((f) => f.path);
      const manifest = JSON.parse(readFileSync(join(repoRoot, "packages", name.replace("@sweval/", ""), "package.json"), "utf8")) as {
        bin?: Record<string, string>;
        exports: Record<string, string | { default: string }>;
      };
      expect(paths, name).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json", "dist/index.js"]));
      for (const bin of Object.values(manifest.bin ?? {})) {
        expect(bin, `${name}: bin paths without ./ (npm warns)`).not.toMatch(/^\.\//);
        expect(paths, name).toContain(bin);
      }
      for (const target of Object.values(manifest.exports)) {
        const file = (typeof target === "string" ? target : target.default).replace(/^\.\//, "");
        expect(paths, `${name} exports ${file}`).toContain(file);
      }
      expect(
        paths.filter((p) => /^(src|tests)\//.test(p) || p.endsWith(".test.js")),
        name,
      ).toEqual([]);
    }
  }, 60_000);
});
