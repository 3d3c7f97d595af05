import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runBin, testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { writeModel } from "../../../bench/aggregate-generate.mjs";

const bin = fileURLToPath(new URL("../bin/sweval-aggregate.js", import.meta.url));

async function tree(models: string[]) {
  const root = await testdir();
  for (const [i, model] of models.entries()) writeModel(join(root, "raw", model), { model, seed: 50 + i, taskCount: 19 });
  return root;
}

describe("sweval-aggregate (drop-in)", () => {
  it("accepts the legacy underscore flags a job script passes, writes the file and prints nothing on stdout", async () => {
    const model = "hosted_vllm/org/a";
    const root = await tree([model]);
    const out = join(root, "results", model, "default");
    const result = await runBin(bin, [
      "--model_name",
      model,
      "--raw_results_dir",
      join(root, "raw", model),
      "--aggregated_outputs_dir",
      out,
      "--used_custom_settings_path",
      "/x/a.yaml",
      "--used_custom_settings_name=default",
      "--used_custom_settings_version",
      "1",
    ]);
    expect([result.exitCode, result.stdout]).toEqual([0, ""]);
    const written = JSON.parse(readFileSync(join(out, "aggregated_results.json"), "utf8"));
    expect(written.custom_settings).toEqual({ path: "/x/a.yaml", name: "default", version: "1" });
    expect(written.tasks).toHaveLength(107);
    expect(result.stderr).toMatch(/wrote .*aggregated_results\.json \(19 results file\(s\), 107 columns\)/);
  });

  it("prints the overall line for the spreadsheet with --print overall", async () => {
    const model = "hosted_vllm/org/a";
    const root = await tree([model]);
    const result = await runBin(bin, [
      "--model-name",
      model,
      "--raw-results-dir",
      join(root, "raw", model),
      "--aggregated-outputs-dir",
      join(root, "out"),
      "--print",
      "overall",
      "-q",
    ]);
    expect(result.stdout.trim().split(",")).toHaveLength(107);
    expect(result.stdout.trim()).toBe(JSON.parse(readFileSync(join(root, "out/aggregated_results.json"), "utf8")).overall);
  });

  it("warns, with the hosted_vllm hint, when no file matches the model", async () => {
    const root = await tree(["hosted_vllm/org/a"]);
    const result = await runBin(bin, [
      "--model-name",
      "org/a",
      "--raw-results-dir",
      join(root, "raw/hosted_vllm/org/a"),
      "--aggregated-outputs-dir",
      join(root, "out"),
    ]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/no results files for model "org\/a" .*hosted_vllm\/<org>\/<model>/);
  });

  it("exits 2 before writing anything for a malformed conf or a missing flag", async () => {
    const root = await testdir({ "conf/aggregate/bad.yaml": "kind: [" });
    const out = join(root, "out");
    const bad = await runBin(bin, ["--model-name", "m", "--raw-results-dir", root, "--aggregated-outputs-dir", out, "--conf", "bad"], {
      cwd: root,
    });
    expect([bad.exitCode, existsSync(out)]).toEqual([2, false]);
    expect(bad.stderr).toMatch(/bad\.yaml:\d+: malformed YAML/);
    const missing = await runBin(bin, ["--model-name", "m"]);
    expect([missing.exitCode, missing.stderr]).toEqual([2, expect.stringMatching(/missing --raw-results-dir/)]);
  });

  it("reports unreadable JSON and a non-results file on stderr and carries on", async () => {
    const model = "hosted_vllm/org/a";
    const root = await tree([model]);
    const dir = join(root, "raw", model);
    writeFileSync(join(dir, "results_2030-01-01T00-00-00.000001.json"), "{ not json");
    writeFileSync(join(dir, "results_2030-01-01T00-00-00.000002.json"), '{"results": {}}');
    const result = await runBin(bin, ["--model-name", model, "--raw-results-dir", dir, "--aggregated-outputs-dir", join(root, "out")]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/000001\.json: unreadable JSON/);
    expect(result.stderr).toMatch(/000002\.json: not a lighteval results file/);
  });
});

describe("sweval-aggregate all", () => {
  it("aggregates every model and custom setting under a raw results root in one process", async () => {
    const root = await tree(["hosted_vllm/org/a", "hosted_vllm/org/b"]);
    writeModel(join(root, "raw", "hosted_vllm/org/a/reasoning"), { model: "hosted_vllm/org/a", seed: 9, taskCount: 3 });
    const result = await runBin(bin, ["all", join(root, "raw"), "--out", join(root, "results"), "-q"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr.match(/wrote /g)).toHaveLength(3);
    const custom = JSON.parse(readFileSync(join(root, "results/hosted_vllm/org/a/reasoning/aggregated_results.json"), "utf8"));
    expect([custom.model, custom.custom_settings.name]).toEqual(["hosted_vllm/org/a", "reasoning"]);
    const single = spawnSync(process.execPath, [
      bin,
      "--model-name",
      "hosted_vllm/org/b",
      "--raw-results-dir",
      join(root, "raw/hosted_vllm/org/b"),
      "--aggregated-outputs-dir",
      join(root, "single"),
      "-q",
    ]);
    expect(single.status).toBe(0);
    expect(readFileSync(join(root, "results/hosted_vllm/org/b/aggregated_results.json"), "utf8")).toBe(
      readFileSync(join(root, "single/aggregated_results.json"), "utf8"),
    );
  });
});

describe("sweval-aggregate table and chart", () => {
  async function aggregated() {
    const models = ["hosted_vllm/org/a", "hosted_vllm/org/b"];
    const root = await tree(models);
    for (const model of models) {
      const result = spawnSync(process.execPath, [
        bin,
        "--model-name",
        model,
        "--raw-results-dir",
        join(root, "raw", model),
        "--aggregated-outputs-dir",
        join(root, "results", model),
        "-q",
      ]);
      expect(result.status).toBe(0);
    }
    return root;
  }

  it("prints one TSV row per model in the conf's column order, missing values blank or -1", async () => {
    const root = await aggregated();
    const tsv = await runBin(bin, ["table", join(root, "results")]);
    const lines = tsv.stdout.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]?.split("\t").slice(0, 4)).toEqual(["model", "custom_settings", "jmmlu_social_sciences", "jmmlu_humanities"]);
    expect(lines[1]?.split("\t")[0]).toBe("hosted_vllm/org/a");
    const file = join(root, "results/hosted_vllm/org/a/aggregated_results.json");
    const overall = JSON.parse(readFileSync(file, "utf8")).overall.split(",");
    expect(
      lines[1]
        ?.split("\t")
        .slice(2)
        .map((v) => v || "-1"),
    ).toEqual(overall);
    const withMinus = await runBin(bin, ["table", join(root, "results"), "--missing", "-1", "--format", "csv"]);
    expect(withMinus.stdout.split("\n")[1]?.split(",").slice(2)).toEqual(overall);
  });

  it("renders Markdown and JSON, and marks changed cells against an earlier table", async () => {
    const root = await aggregated();
    const before = join(root, "before.tsv");
    writeFileSync(before, (await runBin(bin, ["table", join(root, "results")])).stdout);
    const file = join(root, "results/hosted_vllm/org/a/aggregated_results.json");
    writeFileSync(file, readFileSync(file, "utf8").replace(/"jmmlu_stem": [^,]+,/, '"jmmlu_stem": 0.123,'));
    const md = await runBin(bin, ["table", join(root, "results"), "--format", "md", "--diff", before]);
    expect(md.stdout.split("\n")[0]).toMatch(/^\| model \| custom_settings \| jmmlu_social_sciences/);
    expect(md.stdout).toMatch(/\*\*0\.123\*\* \(was 0\.\d+\)/);
    expect(md.stdout.match(/\(was /g)).toHaveLength(1);
    const json = JSON.parse((await runBin(bin, ["table", join(root, "results"), "--format", "json"])).stdout);
    expect(json).toMatchObject({
      kind: "sweval/table",
      version: 1,
      rows: [{ model: "hosted_vllm/org/a" }, { model: "hosted_vllm/org/b" }],
    });
    expect((await runBin(bin, ["table", join(root, "results"), "--json"])).stdout).toBe(JSON.stringify(json, null, 2) + "\n");
  });

  it("reads CSV and JSON tables for --diff as csv-parse reads them, and refuses a malformed one naming its line", async () => {
    const root = await aggregated();
    const csv = (await runBin(bin, ["table", join(root, "results"), "--format", "csv"])).stdout;
    const [header = "", first = "", ...rest] = csv.trimEnd().split("\n");
    // A quoted field with a comma and a doubled quote: what RFC 4180 writers (a spreadsheet's export) produce.
    const quoted = first.replace(/^([^,]+),([^,]*),/, '"$1","$2",');
    writeFileSync(join(root, "before.csv"), [header, quoted, ...rest, '"org/x, ""quoted""",default'].join("\r\n"));
    writeFileSync(join(root, "before.json"), (await runBin(bin, ["table", join(root, "results"), "--json"])).stdout);
    const file = join(root, "results/hosted_vllm/org/a/aggregated_results.json");
    writeFileSync(file, readFileSync(file, "utf8").replace(/"jmmlu_stem": [^,]+,/, '"jmmlu_stem": 0.123,'));
    for (const before of ["before.csv", "before.json"]) {
      const md = await runBin(bin, ["table", join(root, "results"), "--format", "md", "--diff", join(root, before)]);
      expect([md.exitCode, md.stdout.match(/\(was /g)?.length]).toEqual([0, 1]);
    }
    writeFileSync(join(root, "broken.csv"), `${header}\n"hosted_vllm/org/a,default,0.5\n`);
    const broken = await runBin(bin, ["table", join(root, "results"), "--diff", join(root, "broken.csv")]);
    expect([broken.exitCode, broken.stdout]).toEqual([2, ""]);
    expect(broken.stderr).toMatch(/broken\.csv:\d+: malformed CSV table: /);
  });

  it("writes a self-contained HTML chart", async () => {
    const root = await aggregated();
    const out = join(root, "chart.html");
    const result = await runBin(bin, ["chart", join(root, "results"), "--out", out, "--title", "Swallow 8B vs 70B"]);
    expect(result.exitCode).toBe(0);
    const html = readFileSync(out, "utf8");
    expect(html).toMatch(/<title>Swallow 8B vs 70B<\/title>/);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });
});
