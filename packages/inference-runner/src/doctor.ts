import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { InputError } from "@sweval/core";

/** One known failure mode found in a job's logs, with the manual's advice. */
export interface Finding {
  id: string;
  title: string;
  advice: string;
  evidence: string[];
  file: string;
}

interface Rule {
  id: string;
  title: string;
  advice: string;
  /** A fresh matcher: fed every line of a log in order, it holds only what it needs (evidence, a few numbers). */
  matcher(): LineMatcher;
}

interface LineMatcher {
  line(line: string): void;
  /** The evidence lines, or null when the rule does not apply. */
  result(): string[] | null;
}

/** Lines matching pattern: the first three kept as evidence, the rule applies from `atLeast` of them. */
const countLines =
  (pattern: RegExp, atLeast = 1) =>
  (): LineMatcher => {
    let count = 0;
    const evidence: string[] = [];
    return {
      line(line) {
        if (!pattern.test(line)) return;
        count++;
        if (evidence.length < 3) evidence.push(line);
      },
      result: () => (count >= atLeast ? evidence : null),
    };
  };

/** The failure modes the manual names (§3.6, legacy-workflow §11.3), as patterns from vLLM's and lighteval's logs. */
export const RULES: Rule[] = [
  {
    id: "oom",
    title: "out of GPU memory",
    advice:
      "lower max_model_length in the custom settings, use a node kind with more GPUs (tensor parallel), or lower --gpu-memory-utilization",
    matcher: countLines(/CUDA out of memory|torch\.OutOfMemoryError|OutOfMemoryError|No available memory for the cache blocks/),
  },
  {
    id: "never-healthy",
    title: "the vLLM server never became healthy",
    advice:
      "read the vLLM log above: a model that cannot load, a wrong parser, or a deadline too short for a large model (raise --health-timeout)",
    matcher: countLines(/vLLM (did not become healthy|exited during startup)/),
  },
  {
    id: "think-parser",
    title: "the reasoning parser does not fit the tokenizer",
    advice:
      "the tokenizer lacks the think tokens the parser expects: use deepseek_r1_markup (the Swallow parser on lighteval's side) or another parser",
    matcher: countLines(/could not locate think start\/end tokens|reasoning parser .* not (found|registered)/i),
  },
  {
    id: "timeout",
    title: "requests aborted or timed out",
    advice:
      "set REQUEST_TIMEOUT (seconds) to a large value in .env, e.g. 600000; lower LITELLM_CONCURRENT_CALLS if the server is saturated",
    matcher: countLines(/Aborted request|litellm\.Timeout|Request timed out|APITimeoutError|\bTimeout\b.*(litellm|request)/i),
  },
  {
    id: "kv-cache",
    title: "KV-cache shortage: requests are preempted for lack of KV-cache space (resources, not repetition)",
    advice:
      "give the server more KV cache: more GPUs per job (node_f: tensor parallel over 4), a higher gpu_memory_utilization, fewer LITELLM_CONCURRENT_CALLS; as the last resort max_model_length 8192 (manual §3.6)",
    matcher: () => {
      // vLLM logs "Sequence group … is preempted by PreemptionMode.RECOMPUTE mode because there is not enough KV cache
      // space" per preemption, and "GPU KV cache usage: 99.9%" in its periodic metrics line.
      let preempted = 0;
      let peakUsage = 0;
      const evidence: string[] = [];
      return {
        line(line) {
          const usage = /GPU KV cache usage: ([\d.]+)%/.exec(line);
          if (usage) peakUsage = Math.max(peakUsage, Number(usage[1]));
          if (!/preempted by PreemptionMode|not enough KV cache space/.test(line)) return;
          preempted++;
          if (evidence.length < 2) evidence.push(line);
        },
        result: () =>
          preempted > 0 && (peakUsage >= 95 || preempted >= 20)
            ? [...evidence, `${preempted} preemption(s); GPU KV cache usage peaked at ${peakUsage}%`]
            : null,
      };
    },
  },
  {
    id: "repetition",
    title: "generation throughput collapsed (likely repetition)",
    advice:
      "the model is repeating itself to the length limit: set max_new_tokens, or as a last resort lower max_model_length to 8192 (manual §3.6)",
    matcher: () => {
      // Only the peak and the last three values are kept, however long the log.
      let seen = 0;
      let peak = 0;
      const tail: number[] = [];
      return {
        line(line) {
          const match = /Avg generation throughput: ([\d.]+) tokens\/s/.exec(line);
          if (!match) return;
          const value = Number(match[1]);
          seen++;
          peak = Math.max(peak, value);
          tail.push(value);
          if (tail.length > 3) tail.shift();
        },
        result: () =>
          seen >= 6 && peak > 0 && tail.every((v) => v < peak * 0.1) ? [`peak ${peak} tokens/s, last ${tail.join(", ")} tokens/s`] : null,
      };
    },
  },
];

/**
 * Reads every log in a job's log directory (or one file) and names the known failure modes found. Each file is
 * read as a stream of lines in 1 MiB windows, so a 600 MB vLLM log costs a window of memory, not the file.
 */
export function diagnose(path: string): Finding[] {
  if (!existsSync(path)) throw new InputError("no such file or directory", { code: "E_INPUT_FILE", file: path });
  const files = statSync(path).isDirectory()
    ? readdirSync(path)
        .map((name) => join(path, name))
        .filter((file) => statSync(file).isFile())
    : [path];
  const findings: Finding[] = [];
  for (const file of files) {
    const matchers = RULES.map((rule) => ({ rule, matcher: rule.matcher() }));
    forEachLine(file, (line) => {
      for (const { matcher } of matchers) matcher.line(line);
    });
    const found: Finding[] = [];
    for (const { rule, matcher } of matchers) {
      const evidence = matcher.result();
      if (evidence)
        found.push({ id: rule.id, title: rule.title, advice: rule.advice, evidence: evidence.map((e) => e.trim().slice(0, 300)), file });
    }
    // A starved KV cache also collapses throughput: then the collapse is the shortage's, not repetition.
    const starved = found.some((finding) => finding.id === "kv-cache");
    findings.push(...found.filter((finding) => !(starved && finding.id === "repetition")));
  }
  return findings;
}

/** Calls fn with each line of a file, read in windows; a line longer than a window is cut to its first window. */
export function forEachLine(file: string, fn: (line: string) => void, windowBytes = 1 << 20): void {
  const fd = openSync(file, "r");
  const buffer = Buffer.alloc(windowBytes);
  // A character cut by a window's end is completed by the next window.
  const decoder = new StringDecoder("utf8");
  let carry = "";
  try {
    for (;;) {
      const read = readSync(fd, buffer, 0, windowBytes, null);
      if (read === 0) break;
      const text = carry + decoder.write(buffer.subarray(0, read));
      const lines = text.split("\n");
      carry = lines.pop() ?? "";
      if (carry.length > windowBytes) carry = carry.slice(0, windowBytes);
      for (const line of lines) fn(line);
    }
    const rest = carry + decoder.end();
    if (rest !== "") fn(rest);
  } finally {
    closeSync(fd);
  }
}

/** Findings for people. */
export function renderFindings(findings: Finding[]): string {
  if (findings.length === 0) return "no known failure mode found in the logs\n";
  return findings.map((f) => `${f.title} (${f.id}) in ${f.file}\n  ${f.evidence.join("\n  ")}\n  → ${f.advice}\n`).join("\n");
}
