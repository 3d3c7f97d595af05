import { describe, expect, it } from "vitest";
import { durationSeconds, formatWalltime, parseWalltime } from "./walltime.js";

describe(parseWalltime, () => {
  it.each([
    ["00:30:00", 1800],
    ["1:30:00", 5400],
    ["24:00:00", 86400],
    ["100:00:00", 360000],
  ])("parses %s and formats it back", (text, seconds) => {
    expect(parseWalltime(text)).toBe(seconds);
    expect(parseWalltime(formatWalltime(seconds))).toBe(seconds);
  });

  it.each(["30:00", "1:60:00", "", "01:00:00\n"])("refuses %j naming where it came from", (text) => {
    expect(() => parseWalltime(text, { file: "t.csv", line: 3, field: "hrt_q" })).toThrow(/t\.csv:3: field "hrt_q": expected a walltime/);
  });
});

describe(durationSeconds, () => {
  it.each([
    ["1:05", 65],
    ["00:12:30", 750],
    ["2-01:00:00", 176400],
    ["n/a", null],
  ])("reads the scheduler's %s", (text, seconds) => {
    expect(durationSeconds(text)).toBe(seconds);
  });
});
