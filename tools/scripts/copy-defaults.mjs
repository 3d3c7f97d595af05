// Copies the project's conf/ and generation_settings/ into a package's defaults/ at build time, so the
// published package carries its embedded defaults and never reads a workspace-only path at run time.
import { cpSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const target = resolve(process.argv[2] ?? ".", "defaults");
rmSync(target, { recursive: true, force: true });
for (const dir of ["conf", "generation_settings"]) cpSync(join(root, dir), join(target, dir), { recursive: true });
