import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { repoRoot, runBin, testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";

const bins = {
  resolve: join(repoRoot, "packages/settings-resolver/bin/sweval-resolve.js"),
  render: join(repoRoot, "packages/job-renderer/bin/sweval-render.js"),
  pbs: join(repoRoot, "packages/pbs-client/bin/sweval-pbs.js"),
  run: join(repoRoot, "packages/inference-runner/bin/sweval-run.js"),
  env: join(repoRoot, "packages/env-setup/bin/sweval-env.js"),
  aggregate: join(repoRoot, "packages/aggregator/bin/sweval-aggregate.js"),
  details: join(repoRoot, "packages/details-viewer/bin/sweval-details.js"),
};

const HEADER = "key,script,result_dir,framework,hrt_q,hrt_f,wlt_HG,wlt_HF\n";
const ROW = "lighteval,00:30:00,00:30:00,00:30:00,00:30:00\n";

/** The files a directory holds, by relative path: what a refused command must leave as it was. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out.sort();
}

interface Case {
  tool: keyof typeof bins;
  what: string;
  args: string[];
  stdin?: string;
  files?: Record<string, string>;
  /** The one message: it names the file, and the line and field where there is one. */
  message: RegExp;
}

const CASES: Case[] = [
  {
    tool: "resolve",
    what: "a task key with shell syntax in tasks_runtime.csv",
    args: ["--model", "org/m", "--tasks-runtime", "t.csv", "--tasks", "all", "--offline"],
    files: { "t.csv": `${HEADER}ja_ok,s,ja/ok,${ROW}ja_$(id),s,ja/x,${ROW}` },
    message: /t\.csv:3: field "key": task key "ja_\$\(id\)"/,
  },
  {
    tool: "resolve",
    what: "a result_dir that leaves the results tree",
    args: ["--model", "org/m", "--tasks-runtime", "t.csv", "--tasks", "all", "--offline"],
    files: { "t.csv": `${HEADER}ja_x,s,../../etc,${ROW}` },
    message: /t\.csv:2: field "result_dir"/,
  },
  {
    tool: "resolve",
    what: "a NUL byte in tasks_runtime.csv",
    args: ["--model", "org/m", "--tasks-runtime", "t.csv", "--offline"],
    files: { "t.csv": `${HEADER}ja_x,s,ja/x,${ROW}ja_\u0000,s,ja/y,${ROW}` },
    message: /t\.csv:3: a NUL byte in the CSV/,
  },
  {
    tool: "resolve",
    what: "a models file that is missing",
    args: ["--models-file", "models.txt", "--offline"],
    message: /models\.txt: models file not found/,
  },
  { tool: "render", what: "stdin that is not JSON", args: ["--out", "jobs"], stdin: "{", message: /<stdin>:1: malformed JSON/ },
  {
    tool: "render",
    what: "--out naming a file",
    args: ["--out", "afile", "--plan", "plan.json"],
    files: { afile: "x", "plan.json": "{}" },
    message: /afile: field "--out": is a file/,
  },
  {
    tool: "render",
    what: "a plan file that is missing",
    args: ["--out", "jobs", "--plan", "p.json"],
    message: /p\.json: plan file not found/,
  },
  {
    tool: "pbs",
    what: "a manifest file that is missing",
    args: ["submit", "--manifest", "m.json"],
    message: /m\.json: manifest not found/,
  },
  {
    tool: "pbs",
    what: "a ledger that is a directory",
    args: ["status", "--ledger", "ledger"],
    files: { "ledger/x": "" },
    message: /ledger: the ledger is a directory/,
  },
  { tool: "run", what: "doctor on a missing path", args: ["doctor", "nowhere"], message: /nowhere: no such file or directory/ },
  { tool: "run", what: "a plan that is missing", args: ["--plan", "p.json", "--task", "ja_gpqa"], message: /p\.json: plan not found/ },
  {
    tool: "env",
    what: "an --env-file that is missing",
    args: ["check", "--env-file", "none.env"],
    message: /none\.env: \.env file not found/,
  },
  {
    tool: "env",
    what: "an --env-file that is a directory",
    args: ["print", "--env-file", "adir"],
    files: { "adir/x": "" },
    message: /adir: \.env file cannot be read \(EISDIR\)/,
  },
  {
    tool: "aggregate",
    what: "a raw results dir that is not there",
    args: ["--model-name", "hosted_vllm/a/b", "--raw-results-dir", "nowhere", "--aggregated-outputs-dir", "out"],
    message: /nowhere: field "--raw-results-dir": no such directory/,
  },
  {
    tool: "aggregate",
    what: "a --diff table that is missing",
    args: ["table", "results", "--diff", "old.tsv"],
    files: { "results/.keep": "" },
    message: /old\.tsv: previous table not found/,
  },
  { tool: "details", what: "show of a missing file", args: ["show", "nope.parquet"], message: /nope\.parquet: no such file/ },
];

describe("every CLI refuses bad input the same way: exit 2, nothing on stdout, one message naming the file, nothing written", () => {
  it.each(CASES)("sweval-$tool: $what", async ({ tool, args, stdin, files, message }) => {
    const dir = await testdir(files);
    mkdirSync(join(dir, "home"));
    const before = tree(dir);
    const result = await runBin(bins[tool], args, { cwd: dir, stdin, env: { HOME: join(dir, "home"), REPO_PATH: dir } });
    expect([result.exitCode, result.stdout]).toEqual([2, ""]);
    expect(result.stderr).toMatch(message);
    expect(
      result.stderr
        .trim()
        .split("\n")
        .filter((line) => /error:/.test(line)),
    ).toHaveLength(1);
    expect(result.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    expect(tree(dir)).toEqual(before);
    writeFileSync(join(dir, "home", ".done"), "");
  });
});

/** The SWEVAL_* names a package's sources (not its tests) mention: what its tool, or the jobs it writes, read. */
function variablesIn(packageDir: string): string[] {
  const names = new Set<string>();
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".ts") && !name.endsWith(".test.ts"))
        for (const match of readFileSync(path, "utf8").matchAll(/\bSWEVAL_[A-Z0-9_]+/g)) names.add(match[0]);
    }
  };
  walk(join(packageDir, "src"));
  // Set for a local job by the supervisor; no program reads it.
  names.delete("SWEVAL_LOCAL");
  return [...names].sort();
}

describe("every --help ends alike: examples, the exit codes, every SWEVAL_* variable the tool reads", () => {
  it.each(Object.entries(bins))("sweval-%s", async (_, bin) => {
    const help = (await runBin(bin, ["--help"])).stdout;
    const footer = help.slice(help.indexOf("\nExamples:\n"));
    expect(footer).toMatch(
      /^\nExamples:\n {2}\$ sweval-[\s\S]*\nExit codes:\n {2}0 {2}ok\n {2}1 {2}.*\n {2}2 {2}bad usage or input[\s\S]*\nEnvironment:\n/,
    );
    for (const name of ["SWEVAL_DEBUG", ...variablesIn(dirname(dirname(bin)))]) expect(footer).toMatch(new RegExp(`^  ${name} +\\S`, "m"));
  });

  it("sub-commands too, and docs/environment.md lists every variable", async () => {
    const submit = await runBin(bins.pbs, ["submit", "--help"]);
    expect(submit.stdout).toMatch(/^Usage: sweval-pbs submit[\s\S]*\nExit codes:\n[\s\S]*SWEVAL_LEDGER/);
    const { SWEVAL_VARIABLES } = await import("@sweval/core");
    const documented = readFileSync(join(repoRoot, "docs/environment.md"), "utf8");
    for (const name of Object.keys(SWEVAL_VARIABLES)) expect(documented).toContain(`\`${name}\``);
    const mentioned = new Set(Object.values(bins).flatMap((bin) => variablesIn(dirname(dirname(bin)))));
    expect([...mentioned].filter((name) => !(name in SWEVAL_VARIABLES))).toEqual([]);
  });
});

describe("@sweval/cli installs every tool's bin, and `sweval help <tool>` is the tool's --help", () => {
  it.each(Object.entries(bins))("sweval-%s", async (tool, bin) => {
    const name = bin.slice(bin.lastIndexOf("/") + 1);
    const forwarder = join(repoRoot, "packages/cli/bin", name);
    const [direct, forwarded, viaHelp] = await Promise.all([
      runBin(bin, ["--help"]),
      runBin(forwarder, ["--help"]),
      runBin(join(repoRoot, "packages/cli/bin/sweval.js"), ["help", tool]),
    ]);
    expect(forwarded).toEqual(direct);
    expect(viaHelp).toEqual(direct);
    const cliManifest = JSON.parse(readFileSync(join(repoRoot, "packages/cli/package.json"), "utf8")) as { bin: Record<string, string> };
    expect(cliManifest.bin[name.replace(/\.js$/, "")]).toBe(`bin/${name}`);
  });
});

describe("every tool answers --version and --help, and exits 2 when given nothing to do", () => {
  it.each(Object.entries(bins))("sweval-%s", async (_, bin) => {
    const version = await runBin(bin, ["--version"]);
    const { version: expected } = JSON.parse(readFileSync(join(dirname(dirname(bin)), "package.json"), "utf8")) as { version: string };
    expect([version.exitCode, version.stdout.trim()]).toEqual([0, expected]);
    const help = await runBin(bin, ["--help"]);
    expect([help.exitCode, help.stdout]).toEqual([0, expect.stringMatching(/^Usage: sweval-/)]);
    const nothing = await runBin(bin, []);
    expect([nothing.exitCode, nothing.stdout]).toEqual([2, ""]);
    expect(nothing.stderr).toMatch(/Usage: sweval-|error: /);
  });
});

describe("a usage error in a sub-command exits 2 like one in the top-level command", () => {
  it.each([
    ["pbs", ["submit", "--no-such-flag"]],
    ["aggregate", ["table"]],
    ["details", ["show", "x", "--json", "--format", "md"]],
    ["env", ["check", "--no-such-flag"]],
    ["run", ["doctor"]],
    ["resolve", ["--no-such-flag"]],
  ] as const)("sweval-%s %s", async (tool, args) => {
    const result = await runBin(bins[tool], [...args]);
    expect([result.exitCode, result.stdout]).toEqual([2, ""]);
    expect(result.stderr).toMatch(/error: /);
  });
});
