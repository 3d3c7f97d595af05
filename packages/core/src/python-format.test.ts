import { describe, expect, it } from "vitest";
import { pythonFloatRepr, shellQuote } from "./python-format.js";

describe(pythonFloatRepr, () => {
  it.each([
    [1, "1.0"],
    [0, "0.0"],
    [-0, "-0.0"],
    [0.6, "0.6"],
    [0.95, "0.95"],
    [1 / 3, "0.3333333333333333"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [1.5e-7, "1.5e-07"],
    [123456789012345.6, "123456789012345.6"],
    [1e16, "1e+16"],
    [1.2345e20, "1.2345e+20"],
    [9999999999999998, "9999999999999998.0"],
    [-2.5, "-2.5"],
    [Number.NaN, "nan"],
    [Number.POSITIVE_INFINITY, "inf"],
  ])("formats %d as Python repr() does: %s", (value, expected) => {
    expect(pythonFloatRepr(value)).toBe(expected);
  });
});

describe(shellQuote, () => {
  it.each([
    ["plain/path-1.0:x", "plain/path-1.0:x"],
    ["", "''"],
    ["two words", "'two words'"],
    ["it's", "'it'\\''s'"],
    ["$HOME", "'$HOME'"],
    ["swallow|gpqa:diamond|0|0", "'swallow|gpqa:diamond|0|0'"],
  ])("quotes %j as %s", (value, expected) => {
    expect(shellQuote(value)).toBe(expected);
  });
});
