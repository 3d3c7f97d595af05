/**
 * Formats a number the way Python's `repr(float)` does (`1.0`, `0.6`, `1e-05`, `1e+16`), so files we
 * write diff clean against the ones the legacy Python tools wrote.
 */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Number.POSITIVE_INFINITY) return "inf";
  if (value === Number.NEGATIVE_INFINITY) return "-inf";
  if (Object.is(value, -0)) return "-0.0";
  const exponential = value.toExponential(); // shortest round-trip digits, e.g. "1.5e-7"
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(exponential);
  if (!match) return String(value);
  const [, sign, lead, fraction = "", exponentText] = match;
  const exponent = Number(exponentText);
  const digits = `${lead}${fraction}`;
  if (exponent < -4 || exponent >= 16) {
    const mantissa = fraction ? `${lead}.${fraction}` : `${lead}`;
    const exponentPart = `${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
    return `${sign}${mantissa}e${exponentPart}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const integerDigits = exponent + 1;
  if (digits.length <= integerDigits) return `${sign}${digits}${"0".repeat(integerDigits - digits.length)}.0`;
  return `${sign}${digits.slice(0, integerDigits)}.${digits.slice(integerDigits)}`;
}

/** Quotes a string for POSIX shells: safe bare words stay bare, everything else is single-quoted. */
export function shellQuote(value: string): string {
  if (value !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
