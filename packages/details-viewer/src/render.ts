import { promptText, type Sample } from "./sample.js";

export type ShowFormat = "table" | "jsonl" | "md";

/** Samples for people (a table), for pipes (JSON Lines of the normalised sample and its raw row), or Markdown. */
export function renderSamples(samples: Sample[], format: ShowFormat, columns?: string[]): string {
  if (format === "jsonl") {
    return samples
      .map(
        (s) =>
          `${JSON.stringify(columns ? { index: s.index, ...pick(s.raw, columns) } : { index: s.index, prompt: s.prompt, predictions: s.predictions, gold: s.gold, specifics: s.specifics, metrics: s.metrics, reasoning: s.reasoning })}\n`,
      )
      .join("");
  }
  const header = columns ?? ["index", "prompt", "prediction", "gold", "metrics"];
  const cell = (s: Sample, name: string) => {
    if (columns) return short(JSON.stringify(s.raw[name] ?? null), 60);
    if (name === "index") return String(s.index);
    if (name === "prompt") return short(promptText(s), 60);
    if (name === "prediction") return short(JSON.stringify(s.predictions), 50);
    if (name === "gold") return short(JSON.stringify(s.gold), 20);
    return short(JSON.stringify(s.metrics), 40);
  };
  const rows = samples.map((s) => header.map((name) => cell(s, name)));
  if (format === "md") {
    const esc = (t: string) => t.replaceAll("|", "\\|");
    return `${[`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`)].join("\n")}\n`;
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join("\n")}\n`;
}

function short(text: string, max: number): string {
  const flat = text.replaceAll(/\s+/g, " ");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function pick(row: Record<string, unknown>, columns: string[]): Record<string, unknown> {
  return Object.fromEntries(columns.map((c) => [c, row[c]]));
}
