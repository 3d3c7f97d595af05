import { InputError } from "@sweval/core";

/** Parsers vLLM serves itself (V4: qwen3, deepseek_r1, granite; V5 adds the rest). */
export const VLLM_REASONING_PARSERS = ["qwen3", "deepseek_r1", "granite", "nemotron_v3", "llmjp4", "nemotron_nano_v2"] as const;
/** Names the V5 routing list sends to vLLM that no vLLM has built in: only the Swallow plugin registers them. */
export const PLUGIN_ONLY_PARSERS = ["llmjp4", "nemotron_nano_v2"] as const;
/** Parsers the Swallow lighteval fork applies on its side. */
export const LIGHTEVAL_REASONING_PARSERS = ["deepseek_r1_markup"] as const;

export interface ParserDecision {
  parser: string | null;
  vllmParser: string | null;
  lightevalParser: string | null;
  decision: string;
  checkAtJobStart: boolean;
  warning?: string;
}

export interface DecideParserOptions {
  /** The resolved reasoning_parser setting ("" or null when unset). */
  parser: string | null;
  /** From the tokenizer; null when deferred to job start. */
  hasThinkTag: boolean | null;
  provider: string;
  /** Where the parser value came from, for messages. */
  at?: { file?: string; line?: number; field?: string };
}

/**
 * The decision table of legacy-workflow §4.4: a think tag with no parser is an error unless the
 * setting says `ignore`; known parsers are routed to vLLM or to lighteval; anything else is an error.
 */
export function decideParser(options: DecideParserOptions): ParserDecision {
  const parser = options.parser === "" ? null : options.parser;
  if (options.provider !== "vllm") {
    return { parser, vllmParser: null, lightevalParser: null, decision: "API provider: no parser, no detection", checkAtJobStart: false };
  }
  if (parser === "ignore") {
    const hint = options.hasThinkTag === false ? " (the tokenizer has no think tag: `ignore` can be removed)" : "";
    return { parser, vllmParser: null, lightevalParser: null, decision: `parser "ignore": none used${hint}`, checkAtJobStart: false };
  }
  if (parser === null) {
    if (options.hasThinkTag === true) {
      throw new InputError(
        'the tokenizer knows <think>/</think> but no reasoning_parser is set; set one (e.g. deepseek_r1, qwen3) or "ignore"',
        { code: "E_PARSER_MISSING", ...options.at, field: options.at?.field ?? "reasoning_parser" },
      );
    }
    if (options.hasThinkTag === null) {
      return {
        parser,
        vllmParser: null,
        lightevalParser: null,
        decision: "no parser; think-tag check deferred to job start",
        checkAtJobStart: true,
      };
    }
    return { parser, vllmParser: null, lightevalParser: null, decision: "no think tag, no parser", checkAtJobStart: false };
  }
  const routed = classifyParser(parser, options.at);
  const warning =
    options.hasThinkTag === false ? `reasoning_parser "${parser}" is set but the tokenizer has no <think>/</think> token` : undefined;
  return {
    parser,
    ...routed,
    decision: `${parser} → ${routed.vllmParser ? "vllm serve --reasoning-parser" : "lighteval base_params.reasoning_parser"}`,
    checkAtJobStart: options.hasThinkTag === null,
    warning,
  };
}

/** classify_reasoning_parser: vLLM built-ins go to vLLM, the Swallow markup parser to lighteval. */
export function classifyParser(
  parser: string,
  at?: DecideParserOptions["at"],
): { vllmParser: string | null; lightevalParser: string | null } {
  if ((VLLM_REASONING_PARSERS as readonly string[]).includes(parser)) return { vllmParser: parser, lightevalParser: null };
  if ((LIGHTEVAL_REASONING_PARSERS as readonly string[]).includes(parser)) return { vllmParser: null, lightevalParser: parser };
  const known = [...VLLM_REASONING_PARSERS, ...LIGHTEVAL_REASONING_PARSERS];
  const near = parser.replaceAll("-", "_");
  const hint = known.includes(near as never) ? ` (did you mean "${near}"?)` : "";
  throw new InputError(`unknown reasoning parser "${parser}"${hint}; known: ${known.join(", ")}, or "ignore"`, {
    code: "E_UNKNOWN_PARSER",
    ...at,
  });
}
