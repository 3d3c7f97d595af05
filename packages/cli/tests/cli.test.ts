import { chmodSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { memoryIo, runBin, testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli.js";

const bin = fileURLToPath(new URL("../bin/sweval.js", import.meta.url));

describe("sweval", () => {
  it("lists the tools with --help and exits 0; with no tool it exits 2", async () => {
    const help = await runBin(bin, ["--help"]);
    expect(help.exitCode).toBe(0);
    for (const tool of ["resolve", "render", "pbs", "run", "aggregate", "details", "env"])
      expect(help.stdout).toMatch(new RegExp(`^  ${tool} `, "m"));
    const none = await runBin(bin, []);
    expect([none.exitCode, none.stdout]).toEqual([2, ""]);
  });

  it("runs an installed tool in-process with its own flags", async () => {
    const result = await runBin(bin, ["resolve", "--help"]);
    expect([result.exitCode, result.stdout]).toEqual([0, expect.stringContaining("Usage: sweval-resolve")]);
  });

  it("suggests the closest tool for a typo", async () => {
    const result = await runBin(bin, ["rendr"]);
    expect([result.exitCode, result.stderr]).toEqual([2, expect.stringContaining('unknown tool "rendr" (did you mean "render"?)')]);
  });

  it("dispatches other sub-commands to sweval-<tool> on PATH like git, passing argv, stdin and the exit code", async () => {
    const dir = await testdir({ "sweval-hello": '#!/bin/sh\necho "args:$*"\ncat\necho err >&2\nexit 3\n' });
    chmodSync(join(dir, "sweval-hello"), 0o755);
    const result = await runBin(bin, ["hello", "a", "b c"], { stdin: "from stdin\n", env: { PATH: `${dir}:${process.env.PATH}` } });
    expect(result).toEqual({ exitCode: 3, stdout: "args:a b c\nfrom stdin\n", stderr: "err\n" });
  });

  it("says a known tool is not installed when neither its package nor its bin is there", async () => {
    // Every tool ships with @sweval/cli, so a missing one is simulated with a tools table naming an absent package.
    const { io, stderr } = memoryIo({ env: { PATH: "/usr/bin:/bin" } });
    const code = await main(["viz", "ls"], io, { viz: { packageName: "@sweval/not-published", bin: "sweval-viz", summary: "" } });
    expect([code, stderr()]).toEqual([2, expect.stringContaining("@sweval/not-published is not installed")]);
  });
});
