import { describe, expect, it } from "vitest";
import { parseTaskSettings } from "./task-settings.js";

describe(parseTaskSettings, () => {
  it("splits quoted k=v lists, keeps values as strings, ignores pairs without = and treats empty as no default", () => {
    const text =
      'key,generation_settings\nhellaswag,"temperature=0.0"\nenglish_mt_bench,""\nswallow_jhumaneval,"temperature=0.2,top_p=0.95,junk"\n';
    const table = parseTaskSettings(text, "s.csv");
    expect(Object.fromEntries(table.byKey.get("hellaswag")?.params ?? [])).toEqual({ temperature: "0.0" });
    expect(table.byKey.get("english_mt_bench")?.params.size).toBe(0);
    expect(Object.fromEntries(table.byKey.get("swallow_jhumaneval")?.params ?? [])).toEqual({ temperature: "0.2", top_p: "0.95" });
    expect(table.byKey.get("swallow_jhumaneval")?.line).toBe(4);
  });

  it("keys rows by lighteval task names that contain colons", () => {
    const table = parseTaskSettings('key,generation_settings\ngpqa:diamond,"temperature=0.0"\r\n', "s.csv");
    expect(table.byKey.has("gpqa:diamond")).toBe(true);
  });

  it("throws InputError on a wrong header and on an unterminated quote", () => {
    expect(() => parseTaskSettings("task,settings\n", "s.csv")).toThrow(/s\.csv:1: expected the header "key,generation_settings"/);
    expect(() => parseTaskSettings('key,generation_settings\nx,"temperature=0.0\n', "s.csv")).toThrow(/s\.csv(:\d+)?: malformed CSV/);
  });
});
