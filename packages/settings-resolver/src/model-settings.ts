import { existsSync } from "node:fs";
import { join } from "node:path";
import { didYouMean, InputError, pythonFloatRepr, readTextInput } from "@sweval/core";
import { isMap, isScalar, LineCounter, parseDocument, type Scalar } from "yaml";
import { SUPPORTED_PARAMS, type SupportedParam } from "./schema.js";

/** One value of a custom settings profile, with the text Python's str() would print for it. */
export interface ProfileValue {
  value: string | number | boolean | null;
  literal: string;
  line: number;
}

export interface ModelSettingsProfile {
  /** The YAML file the profile came from (the model's own, or common_settings.yaml). */
  file: string;
  name: string;
  line: number;
  version: string;
  values: Partial<Record<SupportedParam, ProfileValue>>;
  /** `name:` (null) or `name: {}`: a body with no key at all, which setting_manager.py refuses. */
  emptyBody?: "null" | "mapping";
}

export interface ModelSettingsFile {
  file: string;
  profiles: Map<string, ModelSettingsProfile>;
  warnings: string[];
}

const PROFILE_KEYS = [...SUPPORTED_PARAMS, "version"] as const;

/**
 * Parses a custom model settings YAML: a mapping of setting name → body. `null` means "not set
 * here" and falls through to the task's value, as in setting_manager.py. Parsed as YAML 1.1, like PyYAML.
 */
export function parseModelSettings(text: string, file: string): ModelSettingsFile {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { version: "1.1", uniqueKeys: false, lineCounter });
  const lineOf = (offset: number | undefined) => (offset === undefined ? undefined : lineCounter.linePos(offset).line);
  const firstError = document.errors[0];
  if (firstError) {
    throw new InputError(`malformed YAML: ${firstError.message.split("\n")[0]}`, {
      code: "E_YAML",
      file,
      line: lineOf(firstError.pos[0]),
      cause: firstError,
    });
  }
  const warnings: string[] = [];
  const profiles = new Map<string, ModelSettingsProfile>();
  const root = document.contents;
  if (root === null || (isScalar(root) && root.value === null)) return { file, profiles, warnings };
  if (!isMap(root))
    throw new InputError("expected a mapping of setting name → settings", { code: "E_YAML", file, line: lineOf(root.range?.[0]) });
  for (const pair of root.items) {
    const keyNode = pair.key as Scalar | null;
    const name = keyNode && isScalar(keyNode) ? String(keyNode.source ?? keyNode.value) : "";
    const line = lineOf(keyNode?.range?.[0]) ?? 1;
    if (profiles.has(name)) warnings.push(`${file}:${line}: setting "${name}" is defined twice; the later one wins (as in PyYAML)`);
    profiles.set(name, parseProfileBody(pair.value, { file, name, line, lineOf }));
  }
  return { file, profiles, warnings };
}

/** Reads and parses a custom model settings YAML. */
export async function readModelSettings(file: string): Promise<ModelSettingsFile> {
  return parseModelSettings(await readTextInput(file, "custom model settings file"), file);
}

export interface FindProfileOptions {
  /** The custom_model_settings directory. */
  dir: string;
  modelId: string;
  setting: string;
}

export interface FoundProfile {
  profile: ModelSettingsProfile;
  warnings: string[];
  /** Which files were looked at, in order, for messages. */
  searched: string[];
}

/**
 * Finds a named profile for a model: `<dir>/<org>/<model>.yaml`, then (V5, tokyotech-llm ids) the same id without
 * an `-iter<digits>` checkpoint suffix, then `<dir>/common_settings.yaml`. An empty profile (`name:` or `name: {}`
 * with nothing in common_settings.yaml) is an error, as in setting_manager.py. Errors say what was searched.
 */
export async function findProfile(options: FindProfileOptions): Promise<FoundProfile> {
  const { dir, modelId, setting } = options;
  const candidates = [join(dir, `${modelId}.yaml`)];
  // The legacy strips a checkpoint's -iter<digits> only for the team's own ids (qsub_multi.sh, setting_manager.py).
  const base = modelId.startsWith("tokyotech-llm/") ? modelId.replace(/-iter\d+$/, "") : modelId;
  if (base !== modelId) candidates.push(join(dir, `${base}.yaml`));
  candidates.push(join(dir, "common_settings.yaml"));
  const searched: string[] = [];
  const warnings: string[] = [];
  const namesSeen = new Set<string>();
  let emptyFile: string | undefined;
  let emptyProfile: ModelSettingsProfile | undefined;
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    searched.push(file);
    const parsed = await readModelSettings(file);
    warnings.push(...parsed.warnings);
    if (parsed.profiles.size === 0 && file === candidates[0]) emptyFile = file;
    const profile = parsed.profiles.get(setting);
    if (profile?.emptyBody === "null") throw emptyProfileError(profile, "null");
    // V5 reads `name: {}` as "look in common_settings.yaml"; V4 refuses it. Both stop the job if nothing is found.
    if (profile?.emptyBody === "mapping") emptyProfile ??= profile;
    else if (profile) return { profile, warnings, searched };
    for (const name of parsed.profiles.keys()) namesSeen.add(name);
  }
  if (emptyProfile) throw emptyProfileError(emptyProfile, "mapping");
  if (searched.length === 0) {
    throw new InputError(`no custom settings file for model "${modelId}"`, {
      code: "E_NO_PROFILE_FILE",
      file: candidates[0],
      hint: `create ${candidates[0]} with a "${setting}:" section (${existsSync(join(dir, "template.yaml")) ? `see ${join(dir, "template.yaml")}` : `e.g. ${setting}: { temperature: 0.6, version: "1" }`}), or drop --custom-settings`,
    });
  }
  if (emptyFile && namesSeen.size === 0) {
    throw new InputError("custom settings file is empty", {
      code: "E_EMPTY_PROFILE_FILE",
      file: emptyFile,
      hint: `add a "${setting}:" section`,
    });
  }
  throw new InputError(`no setting named "${setting}" for model "${modelId}"${didYouMean(setting, namesSeen)}`, {
    code: "E_NO_SETTING",
    file: searched[0],
    field: setting,
    hint: namesSeen.size > 0 ? `available: ${[...namesSeen].join(", ")}` : undefined,
  });
}

// --- internal ---

function emptyProfileError(profile: ModelSettingsProfile, body: "null" | "mapping"): InputError {
  const written = body === "null" ? `${profile.name}:` : `${profile.name}: {}`;
  return new InputError(
    `setting "${profile.name}" is empty (${written}); setting_manager.py stops the job on it${body === "mapping" ? ", and common_settings.yaml has no setting of that name" : ""}`,
    {
      code: "E_EMPTY_SETTING",
      file: profile.file,
      line: profile.line,
      field: profile.name,
      hint: `give it at least a version (${profile.name}:\n  version: "1"), or drop --custom-settings to use the task defaults`,
    },
  );
}

interface BodyContext {
  file: string;
  name: string;
  line: number;
  lineOf: (offset: number | undefined) => number | undefined;
}

function parseProfileBody(node: unknown, context: BodyContext): ModelSettingsProfile {
  const { file, name, line, lineOf } = context;
  const profile: ModelSettingsProfile = { file, name, line, version: "", values: {} };
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) return { ...profile, emptyBody: "null" };
  if (!isMap(node)) throw new InputError("expected a mapping of parameter → value", { code: "E_YAML", file, line, field: name });
  if (node.items.length === 0) return { ...profile, emptyBody: "mapping" };
  for (const pair of node.items) {
    const keyNode = pair.key as Scalar;
    const key = String(keyNode.source ?? keyNode.value);
    const at = lineOf(keyNode.range?.[0]) ?? line;
    if (!(PROFILE_KEYS as readonly string[]).includes(key)) {
      throw new InputError(`unknown parameter${didYouMean(key, PROFILE_KEYS)}`, {
        code: "E_UNKNOWN_PARAM",
        file,
        line: at,
        field: `${name}.${key}`,
        hint: `supported: ${PROFILE_KEYS.join(", ")}`,
      });
    }
    if (!isScalar(pair.value) && pair.value !== null) {
      throw new InputError("expected a single value", { code: "E_YAML", file, line: at, field: `${name}.${key}` });
    }
    const scalar = pair.value as Scalar | null;
    const value = readScalar(scalar);
    if (key === "version") {
      profile.version = value.value === null ? "" : value.literal;
      continue;
    }
    checkParamType(key as SupportedParam, value.value, { file, line: at, field: `${name}.${key}` });
    if (value.value !== null) profile.values[key as SupportedParam] = { ...value, line: at };
  }
  return profile;
}

function readScalar(node: Scalar | null): { value: string | number | boolean | null; literal: string } {
  if (!node || node.value === null || node.value === undefined) return { value: null, literal: "None" };
  const value = node.value;
  if (typeof value === "boolean") return { value, literal: value ? "True" : "False" };
  if (typeof value === "number") {
    const source = String(node.source ?? value);
    const isFloat = /[.eE]|inf|nan/i.test(source) || !Number.isInteger(value);
    return { value, literal: isFloat ? pythonFloatRepr(value) : String(value) };
  }
  return { value: String(value), literal: String(value) };
}

type Check = (value: string | number | boolean) => string | undefined;
const integer =
  (min: number): Check =>
  (v) =>
    typeof v === "number" && Number.isInteger(v) && v >= min ? undefined : `expected an integer >= ${min}`;
const number =
  (min: number, max: number): Check =>
  (v) =>
    typeof v === "number" && v >= min && v <= max ? undefined : `expected a number between ${min} and ${max}`;
const text: Check = (v) => (typeof v === "string" ? undefined : "expected a string");

const PARAM_CHECKS: Record<SupportedParam, Check> = {
  system_message: text,
  max_model_length: (v) => (v === -1 ? undefined : integer(1)(v) && "expected a positive integer, or -1 for auto-detect"),
  max_new_tokens: integer(1),
  temperature: number(0, 100),
  top_p: number(0, 1),
  max_n: integer(1),
  reasoning_parser: text,
  vllm_use_v1: (v) => (v === 0 || v === 1 || typeof v === "boolean" ? undefined : "expected 0 or 1"),
  reasoning_effort: text,
};

function checkParamType(param: SupportedParam, value: string | number | boolean | null, at: { file: string; line: number; field: string }) {
  if (value === null) return;
  const problem = PARAM_CHECKS[param](value);
  if (problem) throw new InputError(`${problem}, received ${JSON.stringify(value).slice(0, 200)}`, { code: "E_PARAM_TYPE", ...at });
}
