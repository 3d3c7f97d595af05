import { describe, expect, it } from "vitest";
import { parsePythonLiteral, parsePythonLiteralOr } from "./python-literal.js";

describe(parsePythonLiteral, () => {
  it.each([
    ["['A', 'B']", ["A", "B"]],
    ["{'acc': 1, 'em': 0.5}", { acc: 1, em: 0.5 }],
    ['["it\'s", \'say "hi"\']', ["it's", 'say "hi"']],
    ["[[1, 2], [], (3,)]", [[1, 2], [], [3]]],
    ["{'x': None, 'y': True, 'z': False}", { x: null, y: true, z: false }],
    ["'日本語\\n改行 \\u3042 \\U0001f600'", "日本語\n改行 あ 😀"],
    ["[-1, 2.5e-3, -0.0]", [-1, 0.0025, -0]],
    ["{1, 2}", [1, 2]],
    ["[{'role': 'user', 'content': 'x'}]", [{ role: "user", content: "x" }]],
  ])("parses %s", (text, expected) => {
    expect(parsePythonLiteral(text)).toEqual(expected);
  });

  it("reads nan and inf", () => {
    expect(parsePythonLiteral("[nan, inf, -inf]")).toEqual([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
  });

  it("keeps text that is not a literal as text", () => {
    expect(parsePythonLiteralOr("The answer is (B).")).toBe("The answer is (B).");
    expect(() => parsePythonLiteral("[1, 2")).toThrow(SyntaxError);
  });
});
