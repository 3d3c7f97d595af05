import { GENERATION_PARAMS, type Plan } from "./schema.js";

/**
 * What the legacy setting_manager.py prints for one task of a plan, line for line: settings path,
 * version, max_model_length (-1 = auto), reasoning_parser, vllm_use_v1, system_message, then the
 * lighteval `generation:` YAML block. Lets a plan stand in for the Python step, and lets tests diff
 * the two.
 */
export function renderLegacySettings(plan: Plan, taskKey: string): string {
  const task = plan.tasks.find((t) => t.key === taskKey);
  if (!task) throw new Error(`task ${taskKey} is not in the plan`);
  const manualLength = task.maxModelLength.source.layer === "profile" || task.maxModelLength.source.layer === "task_settings";
  const lines = [
    plan.customSettings?.path ?? "",
    plan.customSettings?.version ?? "",
    manualLength ? (task.maxModelLength.literal ?? String(task.maxModelLength.value)) : "-1",
    task.reasoningParser.value === null ? "" : (task.reasoningParser.literal ?? String(task.reasoningParser.value)),
    task.vllmUseV1.literal ?? String(task.vllmUseV1.value),
    String(task.systemMessage.value ?? ""),
  ];
  const generation = GENERATION_PARAMS.filter((param) => task.generation[param]);
  if (generation.length > 0) {
    lines.push("    generation:");
    for (const param of generation) {
      const value = task.generation[param];
      lines.push(`        ${param}: ${value?.literal ?? String(value?.value)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
