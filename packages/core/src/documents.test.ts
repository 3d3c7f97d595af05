import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseDocument, parseJsonStream, parseJsonText } from "./documents.js";
import { didYouMean, InputError } from "./errors.js";

const Schema = z.object({ kind: z.literal("x/doc"), version: z.literal(1), n: z.number() });

describe(parseDocument, () => {
  it("returns the validated document", () => {
    expect(parseDocument(Schema, { kind: "x/doc", version: 1, n: 2 }, { kind: "x/doc", version: 1 }, "f.json")).toEqual({
      kind: "x/doc",
      version: 1,
      n: 2,
    });
  });

  it.each([
    [[1], /f\.json: expected a x\/doc document/],
    [{ kind: "y", version: 1 }, /f\.json: field "kind": expected kind "x\/doc", received "y"/],
    [{ kind: "x/doc", version: 3 }, /field "version": x\/doc: expected version 1, received 3/],
    [{ kind: "x/doc", version: 1, n: "two" }, /f\.json: field "n": x\/doc does not match its schema: n: /],
  ])("throws InputError for %j", (value, message) => {
    expect(() => parseDocument(Schema, value, { kind: "x/doc", version: 1 }, "f.json")).toThrow(message);
    expect(() => parseDocument(Schema, value, { kind: "x/doc", version: 1 }, "f.json")).toThrow(InputError);
  });
});

describe(parseJsonStream, () => {
  it("reads one pretty document, an array, or JSON Lines", () => {
    expect(parseJsonStream('{\n  "a": 1\n}\n', "s")).toEqual([{ a: 1 }]);
    expect(parseJsonStream("[1,2]", "s")).toEqual([1, 2]);
    expect(parseJsonStream('{"a":1}\n\n{"a":2}\n', "s")).toEqual([{ a: 1 }, { a: 2 }]);
    expect(parseJsonStream("  \n", "s")).toEqual([]);
  });

  it("names the line of a broken JSON Lines record", () => {
    expect(() => parseJsonStream('{"a":1}\n{"a":\n', "s")).toThrow(/^s:2: malformed JSON Lines/);
  });

  it("names the line of a JSON syntax error", () => {
    expect(() => parseJsonText('{\n"a": 1,\n}', "f.json")).toThrow(/^f\.json:3: malformed JSON/);
  });
});

describe(didYouMean, () => {
  it("suggests close names and nothing for far ones", () => {
    expect(didYouMean("ja_gpqq", ["ja_gpqa", "en_gpqa_diamond", "ja_mmlu"])).toBe(' (did you mean "ja_gpqa"?)');
    expect(didYouMean("zzz", ["ja_gpqa"])).toBe("");
  });
});
