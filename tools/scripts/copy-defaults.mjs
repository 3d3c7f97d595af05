// Copies project files (default: conf/ and generation_settings/) into a package's defaults/ at build time, so
// the published package carries its embedded defaults and never reads a workspace-only path at run time.
// Usage: node copy-defaults.mjs <package dir> [path ...]
import { cpSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const [packageDir = ".", ...paths] = process.argv.slice(2);
const target = resolve(packageDir, "defaults");
rmSync(target, { recursive: true, force: true });
for (const path of paths.length > 0 ? paths : ["conf", "generation_settings"])
  cpSync(join(root, path), join(target, path), { recursive: true });
