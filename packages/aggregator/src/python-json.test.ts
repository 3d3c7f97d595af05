import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { dumpPythonJson, PyInt, parsePythonJson, pythonStr } from "./python-json.js";

const hasPython = spawnSync("python3", ["--version"]).status === 0;

describe(parsePythonJson, () => {
  it("keeps Python's int/float distinction and accepts NaN and Infinity", () => {
    const value = parsePythonJson(
      '{"a": 1, "b": 1.0, "c": -0.0, "d": 1e-05, "e": NaN, "f": -Infinity, "g": "12 not a number", "h": [0, 2.5]}',
    ) as Record<string, unknown>;
    expect(value.a).toEqual(new PyInt(1));
    expect(value.b).toBe(1);
    expect(Object.is(value.c, -0)).toBe(true);
    expect(value.d).toBe(0.00001);
    expect(value.e).toBeNaN();
    expect(value.f).toBe(Number.NEGATIVE_INFINITY);
    expect(value.g).toBe("12 not a number");
    expect(value.h).toEqual([new PyInt(0), 2.5]);
    expect([pythonStr(value.a as PyInt), pythonStr(value.b as number)]).toEqual(["1", "1.0"]);
  });
});

describe.skipIf(!hasPython)(hasPython ? "dumpPythonJson" : "dumpPythonJson (skipped: python3 is not installed)", () => {
  it.each([
    ["floats", "[0.1, 1.0, 0.0, -1, 1e-07, 1e+16, 123456789.123, 0.30000000000000004, 2.5e-05]"],
    [
      "text",
      '["あなたは誠実で優秀な日本人のアシスタントです。", "tab\\t quote\\" back\\\\ nl\\n", "\\u007f del", "\\ud83d\\ude00 emoji", "ctrl \\u0001"]',
    ],
    ["nesting", '{"model": "m", "results": {"a": 1, "b": 0.5}, "tasks": ["a"], "empty": {}, "none": [], "null": null, "t": true}'],
    ["special floats", "[NaN, Infinity, -Infinity]"],
  ])("writes %s byte for byte like json.dump(indent=2)", (_, json) => {
    const python = spawnSync("python3", ["-c", "import json,sys; sys.stdout.write(json.dumps(json.loads(sys.stdin.read()), indent=2))"], {
      input: json,
      encoding: "utf8",
    });
    expect(dumpPythonJson(parsePythonJson(json))).toBe(python.stdout);
  });
});
