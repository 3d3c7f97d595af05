import { InputError, readTextInput } from "@sweval/core";
import { parseCsvRecords } from "./tasks-runtime.js";

/** A task_settings.csv row: `key` is the lighteval task name; values stay strings, as the legacy kept them. */
export interface TaskSettingsRow {
  key: string;
  params: Map<string, string>;
  line: number;
}

export interface TaskSettings {
  file: string;
  byKey: Map<string, TaskSettingsRow>;
}

/**
 * Parses task_settings.csv (`key,generation_settings`, the second field a quoted `"k=v,k=v"`).
 * Pairs without `=` are ignored and an empty string means "no task default", as in setting_manager.py.
 */
export function parseTaskSettings(text: string, file: string): TaskSettings {
  const records = parseCsvRecords(text, file);
  const header = records[0];
  if (header?.fields[0] !== "key" || header.fields[1] !== "generation_settings") {
    throw new InputError(`expected the header "key,generation_settings"`, { code: "E_CSV", file, line: header?.line ?? 1 });
  }
  const byKey = new Map<string, TaskSettingsRow>();
  for (const record of records.slice(1)) {
    const [key = "", settings = ""] = record.fields;
    if (key === "") continue;
    const params = new Map<string, string>();
    for (const pair of settings.split(",")) {
      const at = pair.indexOf("=");
      if (at < 0) continue;
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (name === "")
        throw new InputError(`"${pair}" has no parameter name`, { code: "E_CSV", file, line: record.line, field: "generation_settings" });
      params.set(name, value);
    }
    if (!byKey.has(key)) byKey.set(key, { key, params, line: record.line });
  }
  return { file, byKey };
}

/** Reads and parses task_settings.csv. */
export async function readTaskSettings(file: string): Promise<TaskSettings> {
  return parseTaskSettings(await readTextInput(file, "task settings CSV"), file);
}
