import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

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
  /** Returns the evidence lines, or null when the rule does not apply. */
  match(text: string): string[] | null;
}

const lines = (text: string, pattern: RegExp) => text.split("\n").filter((line) => pattern.test(line));
const atLeast = (found: string[], n: number) => (found.length >= n ? found.slice(0, 3) : null);

/** The failure modes the manual names (§3.6, legacy-workflow §11.3), as patterns from vLLM's and lighteval's logs. */
export const RULES: Rule[] = [
  {
    id: "oom",
    title: "out of GPU memory",
    advice:
      "lower max_model_length in the custom settings, use a node kind with more GPUs (tensor parallel), or lower --gpu-memory-utilization",
    match: (text) =>
      atLeast(lines(text, /CUDA out of memory|torch\.OutOfMemoryError|OutOfMemoryError|No available memory for the cache blocks/), 1),
  },
  {
    id: "never-healthy",
    title: "the vLLM server never became healthy",
    advice:
      "read the vLLM log above: a model that cannot load, a wrong parser, or a deadline too short for a large model (raise --health-timeout)",
    match: (text) => atLeast(lines(text, /vLLM (did not become healthy|exited during startup)/), 1),
  },
  {
    id: "think-parser",
    title: "the reasoning parser does not fit the tokenizer",
    advice:
      "the tokenizer lacks the think tokens the parser expects: use deepseek_r1_markup (the Swallow parser on lighteval's side) or another parser",
    match: (text) => atLeast(lines(text, /could not locate think start\/end tokens|reasoning parser .* not (found|registered)/i), 1),
  },
  {
    id: "timeout",
    title: "requests aborted or timed out",
    advice:
      "set REQUEST_TIMEOUT (seconds) to a large value in .env, e.g. 600000; lower LITELLM_CONCURRENT_CALLS if the server is saturated",
    match: (text) =>
      atLeast(lines(text, /Aborted request|litellm\.Timeout|Request timed out|APITimeoutError|\bTimeout\b.*(litellm|request)/i), 1),
  },
  {
    id: "preemption",
    title: "many KV-cache preemptions",
    advice: "the KV cache is too small for the concurrency: lower LITELLM_CONCURRENT_CALLS or max_model_length, or use more GPUs",
    match: (text) => atLeast(lines(text, /is preempted by PreemptionMode|preempted by PreemptionMode|Preemption/), 20),
  },
  {
    id: "repetition",
    title: "generation throughput collapsed (likely repetition)",
    advice:
      "the model is repeating itself to the length limit: set max_new_tokens, or as a last resort lower max_model_length to 8192 (manual §3.6)",
    match: (text) => {
      const values = [...text.matchAll(/Avg generation throughput: ([\d.]+) tokens\/s/g)].map((m) => Number(m[1]));
      if (values.length < 6) return null;
      const peak = Math.max(...values);
      const tail = values.slice(-3);
      return peak > 0 && tail.every((v) => v < peak * 0.1) ? [`peak ${peak} tokens/s, last ${tail.join(", ")} tokens/s`] : null;
    },
  },
];

/** Reads every log in a job's log directory (or one file) and names the known failure modes found. */
export function diagnose(path: string): Finding[] {
  const files =
    existsSync(path) && statSync(path).isDirectory()
      ? readdirSync(path)
          .map((name) => join(path, name))
          .filter((file) => statSync(file).isFile())
      : [path];
  const findings: Finding[] = [];
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    for (const rule of RULES) {
      const evidence = rule.match(text);
      if (evidence)
        findings.push({ id: rule.id, title: rule.title, advice: rule.advice, evidence: evidence.map((e) => e.trim().slice(0, 300)), file });
    }
  }
  return findings;
}

/** Findings for people. */
export function renderFindings(findings: Finding[]): string {
  if (findings.length === 0) return "no known failure mode found in the logs\n";
  return findings.map((f) => `${f.title} (${f.id}) in ${f.file}\n  ${f.evidence.join("\n  ")}\n  → ${f.advice}\n`).join("\n");
}
