import { InputError } from "@sweval/core/errors";

/** `HH:MM:SS` (also `H:MM:SS`, up to 999 hours) to seconds; anything else is an InputError at that location. */
export function parseWalltime(value: string, at: { file?: string; line?: number; field?: string } = {}): number {
  const match = /^(\d{1,3}):([0-5]\d):([0-5]\d)$/.exec(value);
  if (!match) {
    throw new InputError(`expected a walltime like 02:00:00, received "${value.slice(0, 200)}"`, { code: "E_WALLTIME", ...at });
  }
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
}

/** Seconds to `HH:MM:SS` (hours not wrapped at 24, as qsub and sbatch accept them). */
export function formatWalltime(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
}

/** What schedulers print for elapsed time — `HH:MM:SS`, `MM:SS`, `D-HH:MM:SS` — to seconds; null when unreadable. */
export function durationSeconds(text: string): number | null {
  const match = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)$/.exec(text.trim());
  if (!match) return null;
  const [, days = "0", hours = "0", minutes = "0", seconds = "0"] = match;
  return Number(days) * 86400 + Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds);
}
