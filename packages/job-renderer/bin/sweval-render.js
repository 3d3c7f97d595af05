#!/usr/bin/env -S node --
import module from "node:module";

// The compile cache only exists on Node >= 22.1; on 20 this is a no-op.
if (typeof module.enableCompileCache === "function") module.enableCompileCache();
const { main } = await import("../dist/cli.js");
process.exitCode = await main(process.argv.slice(2));
