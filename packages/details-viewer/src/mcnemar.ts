/** Exact McNemar: two-sided binomial test of b vs c discordant pairs with p = 1/2. */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  let logTerm = -n * Math.LN2;
  let cumulative = Math.exp(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log(n - i + 1) - Math.log(i);
    cumulative += Math.exp(logTerm);
  }
  return Math.min(1, 2 * cumulative);
}
