import { ExitCode } from "./errors.js";

/**
 * Every SWEVAL_* variable a sweval program reads, with what it changes. One table, so each tool's --help and
 * docs/environment.md say the same thing, and a test can hold the sources to it.
 */
export const SWEVAL_VARIABLES = {
  SWEVAL_DEBUG: "any value: print the stack trace with an error",
  SWEVAL_ENV_FILE: "the .env to read instead of ./.env (jobs: instead of <repo>/.env)",
  SWEVAL_ROOT: "the directory holding conf/ and generation_settings/ (default: the current one, else the embedded defaults)",
  SWEVAL_CACHE_DIR: "where parsed aggregation confs are cached (default: ~/.cache/sweval; empty: no cache)",
  SWEVAL_LEDGER: "the submission ledger (default: the manifest's, else ./results/.sweval/ledger.jsonl)",
  SWEVAL_LOCAL_STATE_DIR: "the local scheduler's state (default: ~/.local/state/sweval/local)",
  SWEVAL_LOCAL_DEVICES: "GPUs the local scheduler hands out, e.g. 0,1 (default: $CUDA_VISIBLE_DEVICES)",
  SWEVAL_LOCAL_MAX_JOBS: "jobs the local scheduler runs at once (default: the devices, at least 2)",
  SWEVAL_NODE: "in a job: the node that runs the tools (default: the node the renderer ran under)",
  SWEVAL_RUN: "in a job: a command that replaces the recorded sweval-run",
  SWEVAL_AGGREGATE: "in a job: a command that replaces the recorded sweval-aggregate",
  SWEVAL_HF_CMD:
    "the hf program the login-node pre-download runs, as a JSON array (default: the checkout's common environment, else hf on PATH)",
  SWEVAL_MAX_POINTS: "sweval-pbs submit refuses a plan whose points held at submission exceed this (also --max-points; also in .env)",
  SWEVAL_MAX_COST: "sweval-pbs submit refuses a plan whose estimated API money exceeds this (also --max-cost; also in .env)",
  SWEVAL_PRICES: "the API prices file the estimate reads (default: conf/costs/prices.yaml, else the copy shipped with sweval)",
  SWEVAL_TASK_SAMPLES: "the task sizes file the API estimate reads (default: conf/costs/task-samples.yaml, else the shipped copy)",
  SWEVAL_VLLM_CMD: 'the vLLM program as a JSON array, e.g. ["/opt/venv/bin/vllm"] (default: the plan\'s environment)',
  SWEVAL_LIGHTEVAL_CMD: "the lighteval program as a JSON array (default: the plan's environment)",
  SWEVAL_HEALTH_TIMEOUT: "seconds to wait for vLLM's /health (default: 3600)",
  SWEVAL_STOP_GRACE_MS: "milliseconds between SIGTERM and SIGKILL when a job stops its processes (default: 10000)",
  SWEVAL_REHEARSE: "1: run as --rehearse (simulated vLLM and lighteval)",
  SWEVAL_REHEARSE_VLLM_MODE: "rehearsal vLLM: healthy (default), never-healthy, die or ignore-sigterm",
  SWEVAL_REHEARSE_VLLM_DELAY_MS: "rehearsal vLLM: milliseconds before it is healthy (default: 300)",
  SWEVAL_REHEARSE_VLLM_MAX_N: "rehearsal vLLM: the largest n it accepts in one request (default: 1024)",
  SWEVAL_REHEARSE_VLLM_VERSION: "rehearsal vLLM: the version whose rules it keeps (default: the checkout's uv.lock, else 0.9.2)",
  SWEVAL_REHEARSE_LIGHTEVAL_MODE: "rehearsal lighteval: ok (default), fail or hang",
} as const;
export type SwevalVariable = keyof typeof SWEVAL_VARIABLES;

export interface HelpFooter {
  /** Command lines a user can paste, each shown after `$ `. */
  examples: readonly string[];
  /** The variables the tool reads (SWEVAL_DEBUG, read by every tool, is always listed). */
  env?: readonly SwevalVariable[];
  /** Other variables, with what they do (e.g. TSUBAME_GROUP). */
  otherEnv?: Readonly<Record<string, string>>;
}

/** The end of a --help: examples, the exit codes every sweval tool keeps, and the environment it reads. */
export function helpFooter(footer: HelpFooter): string {
  const variables: [string, string][] = [
    ...[...new Set([...(footer.env ?? []), "SWEVAL_DEBUG" as const])].map((name): [string, string] => [name, SWEVAL_VARIABLES[name]]),
    ...Object.entries(footer.otherEnv ?? {}),
  ];
  const width = Math.max(...variables.map(([name]) => name.length));
  return [
    "",
    "Examples:",
    ...footer.examples.map((example) => `  $ ${example}`),
    "",
    "Exit codes:",
    `  ${ExitCode.ok}  ok`,
    `  ${ExitCode.workFailed}  the work failed (a job, a check, a comparison)`,
    `  ${ExitCode.badInput}  bad usage or input (named with its file, line and field); nothing was written`,
    "",
    "Environment:",
    ...variables.map(([name, text]) => `  ${name.padEnd(width)}  ${text}`),
    "",
  ].join("\n");
}

/** The subset of commander's Command that `addHelpFooter` needs (core does not depend on commander). */
export interface HelpCommandLike {
  addHelpText(position: "after", text: string): unknown;
  readonly commands: readonly HelpCommandLike[];
}

/** Adds the footer to a program and to each of its sub-commands, so `tool sub --help` ends the same way. */
export function addHelpFooter(program: HelpCommandLike, footer: HelpFooter): void {
  program.addHelpText("after", helpFooter(footer));
  for (const command of program.commands) addHelpFooter(command, footer);
}
