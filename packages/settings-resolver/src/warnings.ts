/** Why a plan carries a warning; `--strict` refuses the codes a person must confirm. */
export type WarningCode =
  | "settings-file"
  | "metadata-deferred"
  | "reasoning-parser"
  | "walltime-over-limit"
  | "check-temperature"
  | "check-thinking-switch";

/** The codes of the manual's "check with a person" cases: warnings by default, errors under --strict. */
export const CONFIRM_CODES: ReadonlySet<WarningCode> = new Set(["check-temperature", "check-thinking-switch"]);

/** A warning as a value: its code decides what --strict does, its message is what a person reads. */
export interface PlanWarning {
  code: WarningCode;
  message: string;
}

/** A warning the manual says to confirm with a person; its message keeps the legacy `check:` prefix people grep for. */
export function confirmWarning(code: "check-temperature" | "check-thinking-switch", message: string): PlanWarning {
  return { code, message: `check: ${message}` };
}
