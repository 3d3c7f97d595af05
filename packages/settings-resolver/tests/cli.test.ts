import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runBin, testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { fixtureRoot } from "./fixtures.js";

const bin = fileURLToPath(new URL("../bin/sweval-resolve.js", import.meta.url));

async function resolveCli(args: string[], extra: { root?: string; stdin?: string } = {}) {
  const root = extra.root ?? (await fixtureRoot());
  const home = await testdir();
  return runBin(bin, args, { cwd: root, env: { HOME: home, HF_HOME: home, REPO_PATH: "", SWEVAL_ROOT: "" } });
}

describe("sweval-resolve", () => {
  it("prints one plan document on stdout and nothing else", async () => {
    const result = await resolveCli([
      "--model",
      "org/model",
      "--cluster",
      "tsubame4",
      "--custom-settings",
      "sampling",
      "--tasks",
      "ja_gpqa",
      "--offline",
      "-q",
    ]);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan).toMatchObject({ kind: "sweval/plan", version: 2, model: { id: "org/model" }, tasks: [{ key: "ja_gpqa" }] });
  });

  it("prints JSON Lines, one plan per model, for repeated --model", async () => {
    const root = await fixtureRoot({ "generation_settings/custom_model_settings/org/other.yaml": "sampling:\n  max_n: 2\n" });
    const result = await resolveCli(["-m", "org/model", "-m", "org/other", "-s", "sampling", "-t", "ja_gpqa", "--offline", "-q"], { root });
    const lines = result.stdout.trim().split("\n");
    expect(lines.map((line) => JSON.parse(line).model.id)).toEqual(["org/model", "org/other"]);
  });

  it("reads V5's generation_settings.json with --models-file", async () => {
    const root = await fixtureRoot({ "g.json": JSON.stringify({ "org/model": { node_kind: "rt_HF", custom_settings: "sampling" } }) });
    const result = await resolveCli(["--models-file", "g.json", "--cluster", "tsubame4", "-t", "ja_gpqa", "--offline", "-q"], { root });
    expect(JSON.parse(result.stdout)).toMatchObject({ nodeKind: { name: "node_f" }, customSettings: { name: "sampling" } });
  });

  it("prints the --explain table on stderr, keeping stdout pure JSON", async () => {
    const result = await resolveCli(["-m", "org/model", "-s", "sampling", "-t", "ja_mtbench", "--offline", "--explain"]);
    expect(() => JSON.parse(result.stdout)).not.toThrow();
    expect(result.stderr).toMatch(/ja_mtbench\s+walltime\s+04:00:00\s+tasks_runtime\.csv:3 hrt_q/);
    expect(result.stderr).toMatch(/temperature\s+0\.6\s+profile "sampling" \(model\.yaml:3\)/);
    expect(result.stderr).toMatch(/warning: check: ja_mtbench/);
  });

  it("warns on stderr and fails with --strict", async () => {
    const warned = await resolveCli(["-m", "org/model", "-s", "sampling", "-t", "ja_mtbench", "--offline"]);
    expect(warned.exitCode).toBe(0);
    expect(warned.stderr).toMatch(/sweval-resolve: warning: check: ja_mtbench/);
    const strict = await resolveCli(["-m", "org/model", "-s", "sampling", "-t", "ja_mtbench", "--offline", "--strict"]);
    expect([strict.exitCode, strict.stdout]).toEqual([2, ""]);
  });

  it.each([
    [
      ["--model", "org/model", "--tasks", "ja_gpq", "--offline"],
      /error: .*tasks_runtime\.csv: field "--tasks": unknown task "ja_gpq" \(did you mean "ja_gpqa"\?\)/,
    ],
    [["--model", "../../x", "--offline"], /error: field "--model": model id "\.\.\/\.\.\/x" must be <org>\/<name>/],
    [["--tasks", "ja_gpqa"], /error: field "--model": no model given/],
    [["--model", "org/model", "--provider", "bogus"], /option '-p, --provider <name>' argument 'bogus' is invalid/],
    [
      ["--model", "org/model", "--task-settings", "missing.csv", "--offline"],
      /missing\.csv: field "--task-settings": task settings CSV not found/,
    ],
    [["--model", "org/model", "--max-samples", "0"], /field "--max-samples": expected a positive integer/],
  ])("exits 2 with one clear line and an empty stdout for %j", async (args, message) => {
    const result = await resolveCli(args);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 on a malformed profile YAML, naming its line", async () => {
    const root = await fixtureRoot({ "generation_settings/custom_model_settings/org/bad.yaml": "x:\n  temperature: [0.1,\n" });
    const result = await resolveCli(["-m", "org/bad", "-s", "x", "--offline"], { root });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/bad\.yaml:\d+: malformed YAML/);
    expect(readdirSync(root)).toEqual(["conf", "generation_settings"]);
  });

  it("shows help and exits 0", async () => {
    const result = await resolveCli(["--help"]);
    expect([result.exitCode, result.stdout]).toEqual([0, expect.stringContaining("Usage: sweval-resolve")]);
  });
});
