#!/usr/bin/env -S node --
// sweval-details, installed with @sweval/cli so that one global install puts every tool on PATH.
const { runTool } = await import("../dist/run-tool.js");
process.exitCode = await runTool("details", process.argv.slice(2));
