export { main, renderUsage } from "./cli.js";
export type { ToolEntry } from "./tools.js";
export { TOOLS } from "./tools.js";
