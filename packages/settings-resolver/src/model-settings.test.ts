import { testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { findProfile, parseModelSettings } from "./model-settings.js";

describe(parseModelSettings, () => {
  it("reads profiles with the line of each value and Python's str() of each value", () => {
    const text = [
      "default:",
      '  system_message: "hi"',
      "  temperature: 1.0",
      "  max_n : 8",
      "  top_p: null",
      '  version: "1"',
      "other:",
      "  max_new_tokens: 512",
      "  version: 2",
    ].join("\n");
    const parsed = parseModelSettings(text, "m.yaml");
    const profile = parsed.profiles.get("default");
    expect(profile?.values.temperature).toEqual({ value: 1, literal: "1.0", line: 3 });
    expect(profile?.values.max_n).toEqual({ value: 8, literal: "8", line: 4 });
    expect(profile?.values.top_p).toBeUndefined();
    expect(profile?.version).toBe("1");
    expect(parsed.profiles.get("other")?.version).toBe("2");
  });

  it("keeps the later of two profiles with the same name, as PyYAML does, and warns", () => {
    const parsed = parseModelSettings("a:\n  max_n: 1\na:\n  max_n: 2\n", "m.yaml");
    expect(parsed.profiles.get("a")?.values.max_n?.value).toBe(2);
    expect(parsed.warnings[0]).toMatch(/m\.yaml:3: setting "a" is defined twice/);
  });

  it.each([
    [
      "an unknown parameter",
      "a:\n  temprature: 0.6\n",
      /m\.yaml:2: field "a\.temprature": unknown parameter \(did you mean "temperature"\?\)/,
    ],
    ["a wrong type", "a:\n  max_n: many\n", /m\.yaml:2: field "a\.max_n": expected an integer >= 1, received "many"/],
    ["malformed YAML", "a:\n  b: [1,\n", /m\.yaml:\d+: malformed YAML/],
    ["a list at the top", "- a\n- b\n", /m\.yaml:1: expected a mapping/],
  ])("throws InputError with file, line and field for %s", (_, text, message) => {
    expect(() => parseModelSettings(text, "m.yaml")).toThrow(message);
  });
});

describe(findProfile, () => {
  it("finds <dir>/<org>/<model>.yaml, then (tokyotech-llm ids only) the model without -iter<digits>, then common_settings.yaml", async () => {
    const dir = await testdir({
      "org/model.yaml": 'base:\n  max_n: 1\n  version: "1"\n',
      "tokyotech-llm/model.yaml": 'base:\n  max_n: 2\n  version: "1"\n',
      "common_settings.yaml": 'shared:\n  reasoning_parser: qwen3\n  version: "3"\n',
    });
    expect((await findProfile({ dir, modelId: "org/model", setting: "base" })).profile.file).toBe(`${dir}/org/model.yaml`);
    const checkpoint = await findProfile({ dir, modelId: "tokyotech-llm/model-iter0012000", setting: "base" });
    expect(checkpoint.profile).toMatchObject({ file: `${dir}/tokyotech-llm/model.yaml`, values: { max_n: { value: 2 } } });
    // As the legacy: another org's -iter id is a model of its own name.
    await expect(findProfile({ dir, modelId: "org/model-iter0012000", setting: "base" })).rejects.toThrow(
      /no setting named "base" for model "org\/model-iter0012000"/,
    );
    const shared = await findProfile({ dir, modelId: "org/model", setting: "shared" });
    expect(shared.profile).toMatchObject({ file: `${dir}/common_settings.yaml`, version: "3" });
  });

  it("refuses an empty setting as setting_manager.py does: `name:` always; `name: {}` unless common_settings.yaml has it (V5)", async () => {
    const dir = await testdir({
      "org/m.yaml": 'nulled:\n braced: {}\nfallback: {}\nfull:\n  version: "1"\n'.replace("\n braced", "\nbraced"),
      "common_settings.yaml": 'fallback:\n  reasoning_parser: qwen3\n  version: "2"\n',
    });
    await expect(findProfile({ dir, modelId: "org/m", setting: "nulled" })).rejects.toThrow(
      /m\.yaml:1: field "nulled": setting "nulled" is empty \(nulled:\); setting_manager\.py stops the job on it$/,
    );
    await expect(findProfile({ dir, modelId: "org/m", setting: "braced" })).rejects.toThrow(
      /m\.yaml:2: field "braced": setting "braced" is empty \(braced: \{\}\); .* and common_settings\.yaml has no setting of that name/,
    );
    expect((await findProfile({ dir, modelId: "org/m", setting: "fallback" })).profile).toMatchObject({
      file: `${dir}/common_settings.yaml`,
    });
    expect((await findProfile({ dir, modelId: "org/m", setting: "full" })).profile).toMatchObject({ version: "1", values: {} });
  });

  it("points a missing file at the checkout's template.yaml where there is one, else shows a setting to paste", async () => {
    const bare = await testdir();
    await expect(findProfile({ dir: bare, modelId: "org/none", setting: "fast" })).rejects.toMatchObject({
      hint: expect.stringContaining('e.g. fast: { temperature: 0.6, version: "1" }'),
    });
    const withTemplate = await testdir({ "template.yaml": "# a template\n" });
    await expect(findProfile({ dir: withTemplate, modelId: "org/none", setting: "fast" })).rejects.toMatchObject({
      hint: expect.stringContaining(`see ${withTemplate}/template.yaml`),
    });
  });

  it("throws InputError for a missing file, an empty file and a missing setting with did-you-mean", async () => {
    const dir = await testdir({ "org/empty.yaml": "# nothing yet\n", "org/model.yaml": "reasoning:\n  max_n: 1\n" });
    await expect(findProfile({ dir, modelId: "org/none", setting: "x" })).rejects.toThrow(
      /org\/none\.yaml: no custom settings file for model "org\/none"/,
    );
    await expect(findProfile({ dir, modelId: "org/empty", setting: "x" })).rejects.toThrow(/empty\.yaml: custom settings file is empty/);
    await expect(findProfile({ dir, modelId: "org/model", setting: "reasonin" })).rejects.toThrow(
      /model\.yaml: field "reasonin": no setting named "reasonin" for model "org\/model" \(did you mean "reasoning"\?\)/,
    );
  });
});
