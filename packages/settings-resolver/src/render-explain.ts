import { basename } from "node:path";
import type { Plan, Source } from "./schema.js";

/** A human table of every resolved value and the layer that set it (what `--explain` prints on stderr). */
export function renderExplain(plan: Plan): string {
  const header = [
    `plan ${plan.fingerprint}: ${plan.model.id} via ${plan.provider} (${plan.litellmModel}) on ${plan.cluster.name}/${plan.nodeKind.name} (${plan.nodeKind.gpus} GPU)`,
    `custom settings: ${plan.customSettings ? `${plan.customSettings.name} v${plan.customSettings.version || "?"} (${plan.customSettings.path})` : "none"}; merge ${plan.mergeStrategy}`,
    `results: ${plan.paths.resultsDir}`,
    ...checkoutLines(plan),
  ];
  const rows: string[][] = [["task", "setting", "value", "set by"]];
  for (const task of plan.tasks) {
    const entries: Array<[string, string, Source]> = [
      ["walltime", task.walltime.value, task.walltime.source],
      ["system_message", truncate(String(task.systemMessage.value ?? "")), task.systemMessage.source],
      ["max_model_length", String(task.maxModelLength.value ?? "(at job start)"), task.maxModelLength.source],
      ["reasoning_parser", task.parserRouting.decision, task.reasoningParser.source],
      ["vllm_use_v1", String(task.vllmUseV1.value), task.vllmUseV1.source],
      ...Object.entries(task.generation).map(([k, v]): [string, string, Source] => [k, v.literal ?? String(v.value), v.source]),
    ];
    for (const [i, [setting, value, source]] of entries.entries()) {
      rows.push([i === 0 ? task.key : "", setting, value, describeSource(source)]);
    }
  }
  const warnings = plan.warnings.map((w) => `warning: ${w}`);
  return `${[...header, "", ...formatTable(rows), ...(warnings.length ? ["", ...warnings] : [])].join("\n")}\n`;
}

/** What the checkout pins, where it says anything (a V4/V5 checkout as REPO_PATH). */
function checkoutLines(plan: Plan): string[] {
  const { checkout } = plan;
  const pins = [
    checkout.vllm.version ? `vLLM ${checkout.vllm.version} (${basename(checkout.vllm.source ?? "")})` : null,
    checkout.python.version ? `Python ${checkout.python.version}` : null,
    checkout.reasoningParserPlugin ? `parser plugin: ${checkout.reasoningParserPlugin.parsers.join(", ") || "none"}` : null,
  ].filter(Boolean);
  return [
    ...(pins.length > 0 ? [`checkout pins: ${pins.join("; ")}`] : []),
    `suite: ${plan.suite ? `${plan.suite.name} (${plan.suite.file})` : "every tasks_runtime.csv row"}; aggregation table: ${plan.aggregateConf}`,
  ];
}

/** One short phrase for a source layer. */
export function describeSource(source: Source): string {
  switch (source.layer) {
    case "profile":
      return `profile "${source.setting}" (${basename(source.file)}:${source.line ?? "?"})`;
    case "task_settings":
      return `${basename(source.file)}:${source.line ?? "?"} (${source.key})`;
    case "tasks_runtime":
      return `${basename(source.file)}:${source.line ?? "?"} ${source.column}`;
    case "auto-detected":
      return `auto-detected (${basename(source.file)})`;
    case "cluster":
      return `cluster ${basename(source.file)} ${source.field}`;
    case "cli":
      return `flag ${source.flag}`;
    case "provider-limits":
      return `provider limits ${basename(source.file)}`;
    case "deferred":
      return "deferred to job start";
    default:
      return source.note ? `default (${source.note})` : "default";
  }
}

// --- internal ---

function truncate(text: string, max = 40): string {
  const flat = text.replaceAll("\n", "\\n");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat === "" ? '""' : flat;
}

function formatTable(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => displayWidth(row[column] ?? "")))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell + " ".repeat((widths[column] ?? 0) - displayWidth(cell))))
      .join("  ")
      .trimEnd(),
  );
}

/** East Asian wide characters take two columns in a terminal. */
function displayWidth(text: string): number {
  let width = 0;
  for (const char of text)
    width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(char) ? 2 : 1;
  return width;
}
