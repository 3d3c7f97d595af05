/**
 * Parses a Python literal as `repr()`/`str()` writes it — what lighteval ≤ 0.7 stored for every details value:
 * strings in '…' or "…" with escapes, numbers, True/False/None, nan/inf, lists, tuples, dicts and sets.
 * Not JSON: `"{'acc': 1}"` and `"['A', 'B']"` must come back as objects.
 */
export function parsePythonLiteral(text: string): unknown {
  const parser = new LiteralParser(text);
  const value = parser.value();
  parser.skipSpace();
  if (!parser.done())
    throw new SyntaxError(`unexpected ${JSON.stringify(text.slice(parser.position, parser.position + 20))} at ${parser.position}`);
  return value;
}

/** parsePythonLiteral, or the text itself when it is not a literal (a plain sentence stays a string). */
export function parsePythonLiteralOr(text: string): unknown {
  try {
    return parsePythonLiteral(text);
  } catch {
    return text;
  }
}

class LiteralParser {
  position = 0;
  constructor(private readonly text: string) {}

  done(): boolean {
    return this.position >= this.text.length;
  }

  skipSpace(): void {
    while (!this.done() && /\s/.test(this.text[this.position] as string)) this.position++;
  }

  value(): unknown {
    this.skipSpace();
    const char = this.text[this.position];
    if (char === "[") return this.sequence("]");
    if (char === "(") return this.sequence(")");
    if (char === "{") return this.mapping();
    if (char === "'" || char === '"') return this.string();
    if (/[bru]/i.test(char ?? "") && /['"]/.test(this.text[this.position + 1] ?? "")) {
      this.position++;
      return this.string();
    }
    return this.atom();
  }

  private sequence(close: string): unknown[] {
    this.position++;
    const items: unknown[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.position] === close) {
        this.position++;
        return items;
      }
      items.push(this.value());
      this.skipSpace();
      if (this.text[this.position] === ",") this.position++;
      else if (this.text[this.position] !== close) throw new SyntaxError(`expected , or ${close} at ${this.position}`);
    }
  }

  private mapping(): Record<string, unknown> | unknown[] {
    this.position++;
    const entries: Array<[unknown, unknown]> = [];
    const setItems: unknown[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.position] === "}") {
        this.position++;
        return setItems.length > 0 ? setItems : Object.fromEntries(entries.map(([k, v]) => [String(k), v]));
      }
      const key = this.value();
      this.skipSpace();
      if (this.text[this.position] === ":") {
        this.position++;
        entries.push([key, this.value()]);
      } else setItems.push(key);
      this.skipSpace();
      if (this.text[this.position] === ",") this.position++;
      else if (this.text[this.position] !== "}") throw new SyntaxError(`expected , or } at ${this.position}`);
    }
  }

  private string(): string {
    const quote = this.text[this.position] as string;
    const triple = this.text.startsWith(quote.repeat(3), this.position);
    this.position += triple ? 3 : 1;
    let out = "";
    for (;;) {
      if (this.done()) throw new SyntaxError("unterminated string");
      if (triple ? this.text.startsWith(quote.repeat(3), this.position) : this.text[this.position] === quote) {
        this.position += triple ? 3 : 1;
        return out;
      }
      const char = this.text[this.position++] as string;
      if (char !== "\\") {
        out += char;
        continue;
      }
      const next = this.text[this.position++] as string;
      const simple: Record<string, string> = {
        n: "\n",
        t: "\t",
        r: "\r",
        "0": "\0",
        "\\": "\\",
        "'": "'",
        '"': '"',
        a: "\x07",
        b: "\b",
        f: "\f",
        v: "\v",
        "\n": "",
      };
      if (next in simple) out += simple[next];
      else if (next === "x") out += this.codePoint(2);
      else if (next === "u") out += this.codePoint(4);
      else if (next === "U") out += this.codePoint(8);
      else out += `\\${next}`;
    }
  }

  private codePoint(length: number): string {
    const hex = this.text.slice(this.position, this.position + length);
    this.position += length;
    return String.fromCodePoint(Number.parseInt(hex, 16));
  }

  private atom(): unknown {
    const match = /^(True|False|None|-?inf|nan|-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|-?\.\d+(?:[eE][-+]?\d+)?)/.exec(
      this.text.slice(this.position),
    );
    if (!match)
      throw new SyntaxError(`unexpected ${JSON.stringify(this.text.slice(this.position, this.position + 10))} at ${this.position}`);
    this.position += match[0].length;
    const token = match[0];
    if (token === "True") return true;
    if (token === "False") return false;
    if (token === "None") return null;
    if (token === "nan") return Number.NaN;
    if (token.endsWith("inf")) return token.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    return Number(token);
  }
}
