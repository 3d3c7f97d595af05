import { PassThrough } from "node:stream";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { InputError, WorkError } from "./errors.js";
import { runCli } from "./run-cli.js";

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c) => (out += c));
  stderr.on("data", (c) => (err += c));
  return { io: { stdin: new PassThrough(), stdout, stderr, env: {}, cwd: "/work" }, out: () => out, err: () => err };
}

function program(action: () => void) {
  return new Command("t").option("--x <v>").action(action);
}

describe(runCli, () => {
  it.each([
    ["success", () => {}, [], 0, ""],
    [
      "an InputError",
      () => {
        throw new InputError("bad value", { code: "E", file: "a.csv", line: 3, field: "f", hint: "fix it" });
      },
      [],
      2,
      't: error: a.csv:3: field "f": bad value\nt: hint: fix it\n',
    ],
    [
      "a WorkError",
      () => {
        throw new WorkError("qsub failed", { code: "E_QSUB" });
      },
      [],
      1,
      "t: error: qsub failed\n",
    ],
    ["an unknown flag", () => {}, ["--nope"], 2, "error: unknown option '--nope'\n"],
  ] as const)("maps %s to its exit code", async (_, action, argv, code, stderr) => {
    const streams = io();
    expect(await runCli("t", program(action), argv, streams.io)).toBe(code);
    expect(streams.err()).toBe(stderr);
  });

  it("exits 0 for --help and reports a bug with its stack, cwd hidden", async () => {
    const help = io();
    expect(
      await runCli(
        "t",
        program(() => {}),
        ["--help"],
        help.io,
      ),
    ).toBe(0);
    expect(help.out()).toContain("Usage: t");
    const bug = io();
    expect(
      await runCli(
        "t",
        program(() => {
          throw new TypeError("boom at /work/src/x.ts");
        }),
        [],
        bug.io,
      ),
    ).toBe(1);
    expect(bug.err()).toMatch(/internal error \(a bug.*\n.*TypeError: boom at <cwd>\/src\/x\.ts/);
  });
});
