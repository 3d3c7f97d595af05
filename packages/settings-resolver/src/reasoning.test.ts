import { describe, expect, it } from "vitest";
import { decideParser } from "./reasoning.js";

describe(decideParser, () => {
  it.each([
    // hasThinkTag, parser, vllmParser, lightevalParser, checkAtJobStart
    [true, "ignore", null, null, false],
    [true, "deepseek_r1", "deepseek_r1", null, false],
    [true, "deepseek_r1_markup", null, "deepseek_r1_markup", false],
    [false, "ignore", null, null, false],
    [false, null, null, null, false],
    [false, "qwen3", "qwen3", null, false],
    [null, null, null, null, true],
    [null, "nemotron_v3", "nemotron_v3", null, true],
  ] as const)("think tag %s + parser %s → vllm %s, lighteval %s", (hasThinkTag, parser, vllmParser, lightevalParser, deferred) => {
    const decision = decideParser({ parser, hasThinkTag, provider: "vllm" });
    expect([decision.vllmParser, decision.lightevalParser, decision.checkAtJobStart]).toEqual([vllmParser, lightevalParser, deferred]);
  });

  it("warns when a parser is set but the tokenizer has no think tag", () => {
    expect(decideParser({ parser: "qwen3", hasThinkTag: false, provider: "vllm" }).warning).toMatch(/no <think>/);
  });

  it("throws InputError when the tokenizer knows <think> and no parser is set", () => {
    expect(() => decideParser({ parser: "", hasThinkTag: true, provider: "vllm", at: { file: "m.yaml", line: 3 } })).toThrow(
      /m\.yaml:3: field "reasoning_parser": the tokenizer knows <think>/,
    );
  });

  it("throws InputError for an unknown parser and suggests the underscore spelling of the template's typo", () => {
    expect(() => decideParser({ parser: "deepseek-r1", hasThinkTag: null, provider: "vllm" })).toThrow(
      /unknown reasoning parser "deepseek-r1" \(did you mean "deepseek_r1"\?\)/,
    );
  });

  it("uses no parser and no detection for API providers", () => {
    expect(decideParser({ parser: "deepseek_r1", hasThinkTag: true, provider: "openai" })).toMatchObject({
      vllmParser: null,
      lightevalParser: null,
    });
  });
});
