import { parsePythonLiteralOr } from "./python-literal.js";
import type { Layout } from "./read-details.js";

/** A chat message of a prompt. */
export interface Message {
  role: string;
  content: string;
}

/** One sample, the same shape whatever the layout; `raw` keeps the row as stored. */
export interface Sample {
  index: number;
  /** The prompt as text, the chat messages sent, or (MT-Bench) one message list per turn. */
  prompt: string | Message[] | Message[][];
  /** The model's answers: one string per sample (n for n-sample tasks), or a list per turn (MT-Bench). */
  predictions: string[] | string[][];
  gold: unknown;
  /** Task-specific data such as the extracted answer. */
  specifics: unknown;
  metrics: Record<string, unknown>;
  /** Reasoning text, where the layout keeps it (≥ 0.11). */
  reasoning: string[] | null;
  raw: Record<string, unknown>;
}

/** Normalises a raw row of any layout into a Sample. */
export function toSample(row: Record<string, unknown>, layout: Layout, index: number): Sample {
  if (layout === "new") {
    const doc = (row.doc ?? {}) as Record<string, unknown>;
    const response = (row.model_response ?? {}) as Record<string, unknown>;
    const reasonings = response.reasonings;
    return {
      index,
      prompt: String(doc.query ?? ""),
      predictions: asStrings(response.text),
      gold: doc.gold_index ?? doc.choices ?? null,
      specifics: doc.specific ?? null,
      metrics: ((row.metric as Record<string, unknown>) ?? {}) as Record<string, unknown>,
      reasoning: Array.isArray(reasonings) ? reasonings.filter((r): r is string => typeof r === "string") : null,
      raw: row,
    };
  }
  const value = (name: string) =>
    layout === "str" && typeof row[name] === "string" ? parsePythonLiteralOr(row[name] as string) : row[name];
  const prompt = value("full_prompt");
  return {
    index,
    prompt: Array.isArray(prompt) ? chatPrompt(prompt) : String(prompt ?? value("example") ?? ""),
    predictions: (Array.isArray(value("predictions")) ? value("predictions") : [String(value("predictions") ?? "")]) as
      | string[]
      | string[][],
    // A column a file lacks is null, so every sample line has every field.
    gold: value("gold") ?? null,
    specifics: value("specifics") ?? null,
    metrics: ((value("metrics") as Record<string, unknown>) ?? {}) as Record<string, unknown>,
    reasoning: null,
    raw: row,
  };
}

/** Whether a prompt is MT-Bench's: a message list per turn. */
export function isTurns(prompt: Sample["prompt"]): prompt is Message[][] {
  return Array.isArray(prompt) && prompt.length > 0 && prompt.every((turn) => Array.isArray(turn));
}

/** The prompt as one text, for search and pairing; a multi-turn prompt as its turns, each headed. */
export function promptText(sample: Sample): string {
  const messages = (list: Message[]) => list.map((m) => `${m.role}: ${m.content}`).join("\n");
  if (typeof sample.prompt === "string") return sample.prompt;
  if (isTurns(sample.prompt)) return sample.prompt.map((turn, i) => `[turn ${i + 1}]\n${messages(turn)}`).join("\n");
  return messages(sample.prompt as Message[]);
}

/** A stored chat prompt: messages, or per-turn message lists (a real MT-Bench row), each message as role + text. */
function chatPrompt(value: unknown[]): Message[] | Message[][] {
  const message = (m: unknown): Message => {
    const record = (m ?? {}) as Record<string, unknown>;
    return {
      role: String(record.role ?? ""),
      content: typeof record.content === "string" ? record.content : JSON.stringify(record.content ?? ""),
    };
  };
  if (value.length > 0 && value.every((turn) => Array.isArray(turn))) return (value as unknown[][]).map((turn) => turn.map(message));
  return value.map(message);
}

/** The first numeric metric, or the named one: the sample's score. */
export function score(sample: Sample, metric?: string): number | null {
  const entries = Object.entries(sample.metrics).filter(([, v]) => typeof v === "number" || typeof v === "boolean");
  const chosen = metric ? entries.find(([k]) => k === metric) : entries[0];
  return chosen ? Number(chosen[1]) : null;
}

function asStrings(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
  return value === null || value === undefined ? [] : [String(value)];
}
