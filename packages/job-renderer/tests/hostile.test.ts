import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "@sweval/core";
import { type ResolvePlanOptions, resolvePlan } from "@sweval/settings-resolver";
import { repoRoot, runBin, testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { parsePlans, type RenderJobsOptions, renderJobs, writeJobs } from "../src/index.js";

const renderBin = join(repoRoot, "packages/job-renderer/bin/sweval-render.js");

/** Fields that are shell code by definition (the cluster profile's setup and header lines) or argv of the runner. */
const CODE_FIELDS = /^cluster\.(setup|jobHeader|tools)\b/;

/** Every string leaf of a document, by dotted path. */
function stringLeaves(value: unknown, path = ""): string[] {
  if (typeof value === "string") return [path];
  if (Array.isArray(value)) return value.flatMap((item, i) => stringLeaves(item, `${path}.${i}`));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([key, item]) => stringLeaves(item, path ? `${path}.${key}` : key));
  return [];
}

function withLeaf(document: unknown, path: string, replacement: string): unknown {
  const copy = structuredClone(document) as Record<string, unknown>;
  const keys = path.split(".");
  let node: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[keys.at(-1) as string] = replacement;
  return copy;
}

const CASES: Array<{ name: string; plan: Partial<ResolvePlanOptions>; render: Partial<RenderJobsOptions> }> = [
  { name: "grid-engine", plan: { cluster: "tsubame4", nodeKind: "node_q", customSettings: "default" }, render: { group: "tga-x" } },
  { name: "slurm", plan: { cluster: "slurm", nodeKind: "gpu_1" }, render: {} },
  { name: "local, legacy job command", plan: { cluster: "local", nodeKind: "gpu_1" }, render: { jobCommand: "legacy" } },
];

describe("job scripts with hostile values in every field of the plan", () => {
  it.each(CASES)(
    "$name: each value is refused (exit 2) or stays data when bash runs the script",
    async (testCase) => {
      const dir = await testdir();
      const marker = join(dir, "PWNED");
      // One payload without control characters (it passes for a path, so quoting must hold), one that ends lines.
      const inline = `x';touch ${marker};'\`touch ${marker}\`$(touch ${marker})"$(touch ${marker})"\\`;
      const payloads = [inline, `${inline}\ntouch ${marker}\n# `];
      const plan = await resolvePlan({
        model: "tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5",
        root: repoRoot,
        repoPath: join(dir, "repo"),
        tasks: ["ja_gpqa"],
        offline: true,
        env: { HOME: "/nonexistent-home" },
        ...testCase.plan,
      });
      const leaves = stringLeaves(plan).filter((path) => !CODE_FIELDS.test(path));
      let refused = 0;
      let ran = 0;
      for (const [path, payload] of leaves.flatMap((leaf) => payloads.map((p) => [leaf, p] as const))) {
        const hostile = JSON.stringify(withLeaf(plan, path, payload));
        const outDir = join(dir, "jobs", String(ran + refused));
        let files: ReturnType<typeof renderJobs>["files"];
        try {
          const plans = parsePlans(hostile, "<hostile>");
          files = renderJobs({ plans, outDir, thenAggregate: true, ...testCase.render }).files;
        } catch (error) {
          expect(error, path).toBeInstanceOf(InputError);
          refused++;
          continue;
        }
        await writeJobs(outDir, files);
        for (const script of files.filter((file) => file.path.endsWith(".sh"))) {
          spawnSync("bash", [script.path], {
            cwd: dir,
            // SWEVAL_ENV_FILE is left unset, so the default the script spells out (the repo's .env) is expanded.
            env: { PATH: process.env.PATH, HOME: dir, SWEVAL_RUN: "true", SWEVAL_AGGREGATE: "true" },
            timeout: 10_000,
          });
          expect(existsSync(marker), `${path} ran a command from ${script.path}`).toBe(false);
        }
        ran++;
      }
      // Neither side may be empty: names and paths are refused, free text (system messages, settings) is rendered.
      expect(refused).toBeGreaterThan(5);
      expect(ran).toBeGreaterThan(5);
    },
    120_000,
  );
});

describe("sweval-render with hostile values, as a user runs it", () => {
  it("renders a repo path and model setting full of shell syntax into scripts that run none of it, and refuses a newline", async () => {
    const dir = await testdir();
    const marker = join(dir, "PWNED");
    const repo = join(dir, `repo $(touch ${marker}) \`touch ${marker}\` ';touch ${marker};'`);
    const plan = await resolvePlan({
      model: "tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5",
      root: repoRoot,
      repoPath: repo,
      tasks: ["ja_gpqa"],
      offline: true,
      env: { HOME: "/nonexistent-home" },
    });
    const rendered = await runBin(renderBin, ["--out", join(dir, "jobs"), "--then-aggregate"], { stdin: JSON.stringify(plan) });
    expect(rendered.exitCode).toBe(0);
    mkdirSync(repo, { recursive: true });
    for (const job of JSON.parse(rendered.stdout).jobs as Array<{ script: string }>) {
      const run = spawnSync("bash", [job.script], {
        cwd: dir,
        env: { PATH: process.env.PATH, HOME: dir, SWEVAL_RUN: "true", SWEVAL_AGGREGATE: "true" },
      });
      expect(run.status, job.script).toBe(0);
    }
    expect(existsSync(marker)).toBe(false);
    const newline = await runBin(renderBin, ["--out", join(dir, "jobs2")], {
      stdin: JSON.stringify({ ...plan, paths: { ...plan.paths, repoPath: `${repo}\ntouch ${marker}` } }),
    });
    expect([newline.exitCode, newline.stdout, existsSync(join(dir, "jobs2"))]).toEqual([2, "", false]);
    expect(newline.stderr).toMatch(/field "paths\.repoPath".*control characters/);
  });
});

/** The ja_gpqa job script of a plan whose repo is dir, written under dir/jobs. */
async function jobScriptIn(dir: string): Promise<string> {
  const plan = await resolvePlan({
    model: "tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5",
    root: repoRoot,
    repoPath: dir,
    tasks: ["ja_gpqa"],
    offline: true,
    env: { HOME: "/nonexistent-home" },
  });
  const outDir = join(dir, "jobs");
  const { files } = renderJobs({ plans: [plan], outDir });
  await writeJobs(outDir, files);
  return files.find((file) => file.path.endsWith("/ja_gpqa.sh"))?.path ?? "";
}

describe("a .env that would run a command when sourced", () => {
  it.each(["A=$(touch MARK)", "A=`touch MARK`", 'A="x$(touch MARK)"', "# $(touch MARK)"])(
    "%s: the job refuses it (exit 2) and runs nothing",
    async (line) => {
      const dir = await testdir();
      const marker = join(dir, "MARK");
      const script = await jobScriptIn(dir);
      writeFileSync(join(dir, ".env"), `SWEVAL_RUN=true\n${line.replaceAll("MARK", marker)}\n`);
      const result = spawnSync("bash", [script], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir }, encoding: "utf8" });
      expect([result.status, existsSync(marker)]).toEqual([2, false]);
      expect(result.stderr).toMatch(/holds \$\( or a backquote, which sourcing would run; refusing it/);
    },
  );

  it("sources a plain .env as before", async () => {
    const dir = await testdir({ ".env": 'SWEVAL_RUN=true\nHUGGINGFACE_CACHE="/tmp/hf cache"\n' });
    const script = await jobScriptIn(dir);
    expect(spawnSync("bash", [script], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir } }).status).toBe(0);
  });
});

describe("the tools a job records, with hostile paths", () => {
  it("keeps shell syntax and newlines in the recorded node and entry points as data: the job stops at rc 127 naming them", async () => {
    const dir = await testdir();
    const marker = join(dir, "PWNED");
    const inline = `/opt/x';touch ${marker};'\`touch ${marker}\`$(touch ${marker})"$(touch ${marker})"\\`;
    const plan = await resolvePlan({
      model: "tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5",
      root: repoRoot,
      repoPath: join(dir, "repo"),
      tasks: ["ja_gpqa"],
      offline: true,
      env: { HOME: "/nonexistent-home" },
    });
    mkdirSync(join(dir, "repo"));
    const real = { node: process.execPath, run: "/bin/true", aggregate: "/bin/true" };
    for (const key of ["node", "run", "aggregate"] as const)
      for (const payload of [inline, `${inline}\ntouch ${marker}\n`]) {
        const outDir = join(dir, "jobs", `${key}-${payload.length}`);
        const { files } = renderJobs({ plans: [plan], outDir, thenAggregate: true, tools: { ...real, [key]: payload } });
        await writeJobs(outDir, files);
        for (const script of files.filter((file) => file.path.endsWith(".sh"))) {
          const run = spawnSync("bash", [script.path], {
            cwd: dir,
            env: { PATH: process.env.PATH, HOME: dir },
            encoding: "utf8",
            timeout: 10_000,
          });
          expect(existsSync(marker), `${key} ran a command from ${script.path}`).toBe(false);
          // The file the job would run is the one that is missing, named as it is.
          if (key === "node" || script.path.endsWith(key === "run" ? "/ja_gpqa.sh" : "/aggregate.sh")) {
            expect(run.status, script.path).toBe(127);
            expect(run.stderr).toContain(payload);
          }
        }
      }
  });
});
