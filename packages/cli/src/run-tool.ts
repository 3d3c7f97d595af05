import module from "node:module";
import { TOOLS } from "./tools.js";

/**
 * The body of the `sweval-<tool>` bins @sweval/cli installs: the tool's own CLI, imported from its package, so
 * `npm i -g @sweval/cli` puts every tool on PATH (npm links only the bins of the package installed).
 */
export async function runTool(name: keyof typeof TOOLS & string, argv: readonly string[]): Promise<number> {
  // The compile cache only exists on Node >= 22.1; on 20 this is a no-op.
  const { enableCompileCache } = module as { enableCompileCache?: () => unknown };
  if (typeof enableCompileCache === "function") enableCompileCache();
  const entry = TOOLS[name];
  if (!entry) throw new Error(`no sweval tool "${name}"`);
  const { main } = (await import(`${entry.packageName}/cli`)) as { main(argv: readonly string[]): Promise<number> };
  return main(argv);
}
