import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { repoRoot, runBin, testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { checkEnv, loadEnv, maskSecret } from "../src/index.js";

const bin = fileURLToPath(new URL("../bin/sweval-env.js", import.meta.url));
const template = readFileSync(join(repoRoot, ".env_template"), "utf8");
const SECRETS = { OPENAI_API_KEY: "sk-plantedOpenAIsecret0000000001abcd", HF_TOKEN: "hf_plantedHFtoken000000000000000002wxyz" };

/** A .env a careful user wrote: every required variable set to real, existing paths. */
async function goodEnv(extra = "") {
  const dir = await testdir();
  for (const sub of ["repo", "bs/cache/hf", "bs/cache/uv", "bs/cache/vllm"]) mkdirSync(join(dir, sub), { recursive: true });
  const text = [
    'GROUP_AND_NAME="tga-real/alice"',
    `REPO_PATH="${dir}/repo"`,
    `HUGGINGFACE_CACHE="${dir}/bs/cache/hf"`,
    `UV_CACHE="${dir}/bs/cache/uv"`,
    `VLLM_CACHE="${dir}/bs/cache/vllm"`,
    'TSUBAME_GROUP="tga-real"',
    `OPENAI_API_KEY="${SECRETS.OPENAI_API_KEY}"`,
    `HF_TOKEN="${SECRETS.HF_TOKEN}"`,
    extra,
  ].join("\n");
  writeFileSync(join(dir, ".env"), text);
  writeFileSync(join(dir, ".env_template"), template);
  return dir;
}

describe(loadEnv, () => {
  it("reads .env, expands it and lets the real environment win", async () => {
    const dir = await goodEnv();
    const loaded = loadEnv({ cwd: dir, env: { TSUBAME_GROUP: "from-env" } });
    expect(loaded.values.TSUBAME_GROUP).toBe("from-env");
    expect(loaded.origins.TSUBAME_GROUP).toBe("environment");
    expect(loaded.origins.REPO_PATH).toEqual({ file: join(dir, ".env"), line: 2 });
  });

  it("returns the environment alone when there is no .env, and exits 2 for a named file that is missing or a bad value", async () => {
    const dir = await testdir();
    expect(loadEnv({ cwd: dir, env: { HF_TOKEN: "x" } })).toMatchObject({ file: null, values: { HF_TOKEN: "x" } });
    expect(() => loadEnv({ cwd: dir, file: "nope.env", env: {} })).toThrow(/nope\.env: \.env file not found/);
    writeFileSync(join(dir, ".env"), "A=1\nREQUEST_TIMEOUT=soon\n");
    expect(() => loadEnv({ cwd: dir, env: {} })).toThrow(/\.env:2: field "REQUEST_TIMEOUT": expected seconds/);
  });
});

describe(checkEnv, () => {
  it("finds nothing wrong in a careful .env", async () => {
    const dir = await goodEnv();
    expect(checkEnv({ cwd: dir, env: {} }).problems).toEqual([]);
  });

  it("reports every problem at once, each with variable, file, line and fix", async () => {
    const dir = await goodEnv('OPENROUTER_API_KEY="not-a-key"\nREQUEST_TIMEOUT=soon');
    const text = readFileSync(join(dir, ".env"), "utf8")
      .replace('GROUP_AND_NAME="tga-real/alice"', 'GROUP_AND_NAME="tga-example/your_name"')
      .replace(/HF_TOKEN=.*/, 'HF_TOKEN="hf_replace-me"')
      .replace(/UV_CACHE=.*/, 'UV_CACHE="/home/alice/uv"')
      .replace(/REPO_PATH=.*/, `REPO_PATH="${dir}/missing"`)
      .replace(/TSUBAME_GROUP=.*\n/, "");
    writeFileSync(join(dir, ".env"), text);
    const problems = checkEnv({ cwd: dir, env: {}, storageRule: `${dir}/bs/` }).problems;
    const summary = problems.map((p) => `${p.variable}:${p.line ?? "-"}: ${p.message}`);
    expect(summary).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^GROUP_AND_NAME:1: still the template's placeholder \("tga-example\/your_name"\)/),
        expect.stringMatching(/^TSUBAME_GROUP:-: missing/),
        expect.stringMatching(/^HF_TOKEN:\d+: still the template's placeholder$/),
        expect.stringMatching(/^OPENROUTER_API_KEY:\d+: does not look like a key/),
        expect.stringMatching(/^UV_CACHE:4: \/home\/alice\/uv is outside .*\/bs\//),
        expect.stringMatching(/^REPO_PATH:2: .*\/missing does not exist/),
        expect.stringMatching(/^REQUEST_TIMEOUT:\d+: "soon" is not a number/),
      ]),
    );
    expect(problems.find((p) => p.variable === "TSUBAME_GROUP")?.fix).toMatch(/see .*\.env_template:\d+/);
    expect(problems.some((p) => p.variable === "DEEPINFRA_API_KEY")).toBe(false);
  });

  it("masks a malformed secret instead of showing it", async () => {
    const dir = await goodEnv();
    writeFileSync(
      join(dir, ".env"),
      readFileSync(join(dir, ".env"), "utf8").replace(/OPENAI_API_KEY=.*/, 'OPENAI_API_KEY="sk-short-but-secret-value!!"'),
    );
    const problem = checkEnv({ cwd: dir, env: {} }).problems.find((p) => p.variable === "OPENAI_API_KEY");
    expect(problem?.message).toBe("does not look like a key (sk-…ue!!)");
    expect(maskSecret(SECRETS.HF_TOKEN)).toBe("hf_…wxyz");
  });
});

describe("sweval-env", () => {
  it("check exits 0 on a clean .env and 1 with problems, never printing a secret", async () => {
    const clean = await goodEnv();
    expect((await runBin(bin, ["check"], { cwd: clean, env: { TSUBAME_GROUP: "" } })).exitCode).toBe(1);
    const ok = await runBin(bin, ["check"], { cwd: clean, env: cleanEnv() });
    expect([ok.exitCode, ok.stdout]).toEqual([0, ""]);
    const dirty = await goodEnv('DEEPINFRA_API_KEY="planted deepinfra secret"');
    const result = await runBin(bin, ["doctor", "--json"], { cwd: dirty, env: cleanEnv() });
    expect(result.exitCode).toBe(1);
    for (const secret of [...Object.values(SECRETS), "planted deepinfra secret"])
      expect(result.stdout + result.stderr).not.toContain(secret);
    expect(JSON.parse(result.stdout).problems.length).toBeGreaterThan(0);
  });

  it("check --cluster tsubame4 applies the /gs/bs/ storage rule", async () => {
    const dir = await goodEnv();
    const result = await runBin(bin, ["check", "--cluster", "tsubame4"], { cwd: dir, env: cleanEnv() });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/HUGGINGFACE_CACHE: .* is outside \/gs\/bs\//);
  });

  it("check exits 2 when .env cannot be read, pointing at a template that exists (the package's own outside a checkout)", async () => {
    const dir = await testdir();
    const result = await runBin(bin, ["check"], { cwd: dir, env: cleanEnv() });
    expect(result.exitCode).toBe(2);
    const hint = /\.env: \.env file not found\n.*hint: copy (\S+) to (\S+) and fill it in/.exec(result.stderr);
    expect(hint?.[2]).toBe(join(dir, ".env"));
    expect(hint?.[1]).toBe(fileURLToPath(new URL("../defaults/.env_template", import.meta.url)));
    expect(readFileSync(hint?.[1] ?? "", "utf8")).toBe(template);
    writeFileSync(join(dir, ".env_template"), template);
    const inCheckout = await runBin(bin, ["check"], { cwd: dir, env: cleanEnv() });
    expect(inCheckout.stderr).toContain(`hint: copy ${join(dir, ".env_template")} to ${join(dir, ".env")}`);
  });

  it("print --json gives paths and caches, and secrets only as set or missing", async () => {
    const dir = await goodEnv();
    const result = await runBin(bin, ["print", "--json"], { cwd: dir, env: cleanEnv() });
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      kind: "sweval/env",
      version: 1,
      values: { TSUBAME_GROUP: "tga-real" },
      secrets: { OPENAI_API_KEY: "set", HF_TOKEN: "set" },
    });
    expect(report.caches.HF_HOME).toBe(`${dir}/bs/cache/hf`);
    for (const secret of Object.values(SECRETS)) expect(result.stdout).not.toContain(secret);
  });
});

/** Every 8-character piece of a secret: none may appear in any output (its mask shows at most 4 characters). */
function expectNoPieceOf(secret: string, output: string) {
  for (let i = 0; i + 8 <= secret.length; i++)
    expect(output, `a piece of the secret: ${secret.slice(i, i + 8)}`).not.toContain(secret.slice(i, i + 8));
}

describe("secrets in malformed or derived lines", () => {
  const secret = "sk-proj-plantedAAAA1111bbbb2222cccc3333";

  it.each([
    ["a secret with an unquoted space", `OPENAI_API_KEY=sk-proj-plantedAAAA1111 bbbb2222cccc3333`],
    ["a pasted key on a line of its own", "sk-proj-plantedAAAA1111bbbb2222cccc3333"],
    ["a secret in a line that is not an assignment", "OPENAI_API_KEY sk-proj-plantedAAAA1111bbbb2222cccc3333"],
    ["a secret as a bad variable name", "sk-proj-plantedAAAA1111bbbb2222cccc3333=1"],
    ["a secret with spaces around =", "OPENAI_API_KEY = sk-proj-plantedAAAA1111bbbb2222cccc3333"],
  ])("check names the line of %s and shows no piece of it", async (_, line) => {
    const dir = await goodEnv(line);
    const result = await runBin(bin, ["check", "--env-file", join(dir, ".env"), "--template", join(dir, ".env_template")], {
      cwd: dir,
      env: { HOME: dir },
    });
    const json = await runBin(bin, ["check", "--json", "--env-file", join(dir, ".env"), "--template", join(dir, ".env_template")], {
      cwd: dir,
      env: { HOME: dir },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/\.env:9: /);
    expectNoPieceOf(secret.replace(/^sk-proj-/, ""), result.stdout + result.stderr + json.stdout + json.stderr);
  });

  it("print --json counts a value built from a secret as a secret (LITELLM_EXTRA_HEADERS)", async () => {
    const dir = await goodEnv(`LITELLM_EXTRA_HEADERS='{"Authorization": "Bearer '"\${OPENAI_API_KEY}"'"}'`);
    const result = await runBin(bin, ["print", "--json", "--env-file", join(dir, ".env")], { cwd: dir, env: { HOME: dir } });
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.secrets.LITELLM_EXTRA_HEADERS).toBe("set");
    expect(report.values.LITELLM_EXTRA_HEADERS).toBeUndefined();
    expectNoPieceOf(SECRETS.OPENAI_API_KEY.replace(/^sk-/, ""), result.stdout + result.stderr);
  });
});

describe("sweval-env create", () => {
  async function withStandInUv() {
    const dir = await goodEnv();
    const binDir = join(dir, "bin");
    mkdirSync(binDir);
    // A stand-in uv: records argv (and UV_PROJECT_ENVIRONMENT) and creates the venv dir it is asked for.
    writeFileSync(
      join(binDir, "uv"),
      `#!/bin/sh\necho "uv $* \${UV_PROJECT_ENVIRONMENT:+(UV_PROJECT_ENVIRONMENT=$UV_PROJECT_ENVIRONMENT)}" >> "${dir}/uv.log"\nif [ "$1" = venv ]; then for last; do :; done; mkdir -p "$last/bin"; fi\nexit 0\n`,
    );
    chmodSync(join(binDir, "uv"), 0o755);
    writeFileSync(join(dir, "repo/pyproject.toml"), "[project]\nname='x'\n");
    writeFileSync(join(dir, "repo/uv.lock"), "version = 1\n");
    return { dir, env: { ...cleanEnv(), PATH: `${binDir}:/usr/bin:/bin`, HOME: dir } };
  }

  it("runs uv with the exact argv per environment, then skips unchanged ones", async () => {
    const { dir, env } = await withStandInUv();
    const first = await runBin(bin, ["create", "--only", "lighteval,notebook"], { cwd: dir, env });
    expect([first.exitCode, first.stdout]).toEqual([0, "✅ Environment was successfully created!\n"]);
    const log = readFileSync(join(dir, "uv.log"), "utf8").replaceAll(dir, "<dir>");
    await expect(log).toMatchFileSnapshot("golden/uv-argv.txt");
    expect(first.stderr).toMatch(/lighteval: \[3\/3\] sync .*\[lighteval\]/);
    const second = await runBin(bin, ["create", "--only", "lighteval,notebook"], { cwd: dir, env });
    expect(second.stderr).toMatch(/lighteval: up to date/);
    expect(
      readFileSync(join(dir, "uv.log"), "utf8")
        .split("\n")
        .filter((l) => l.includes(" sync ")).length,
    ).toBe(1);
    writeFileSync(join(dir, "repo/uv.lock"), "version = 2\n");
    const third = await runBin(bin, ["create", "--only", "lighteval", "--json"], { cwd: dir, env });
    expect(JSON.parse(third.stdout).environments[0]).toMatchObject({ name: "lighteval", status: "created" });
  });

  it("builds with the Python the checkout pins (V5: 3.11.10), and rebuilds when the pin changes", async () => {
    const { dir, env } = await withStandInUv();
    writeFileSync(join(dir, "repo/pyproject.toml"), '[project]\nname = "x"\nrequires-python = "==3.11.10"\n');
    await runBin(bin, ["create", "--only", "lighteval"], { cwd: dir, env });
    expect(readFileSync(join(dir, "uv.log"), "utf8")).toMatch(
      /^uv --version \nuv python install 3\.11\.10 \nuv venv --allow-existing --python 3\.11\.10 /,
    );
    writeFileSync(join(dir, "repo/pyproject.toml"), '[project]\nname = "x"\nrequires-python = "==3.10.14"\n');
    const again = await runBin(bin, ["create", "--only", "lighteval", "--json"], { cwd: dir, env });
    expect(JSON.parse(again.stdout).environments[0]).toMatchObject({ status: "created" });
    expect(readFileSync(join(dir, "uv.log"), "utf8")).toMatch(/uv python install 3\.10\.14 \n/);
  });

  it("adds PATH lines to the shell profile only with the flag, and never twice", async () => {
    const { dir, env } = await withStandInUv();
    await runBin(bin, ["create", "--only", "common"], { cwd: dir, env });
    expect(existsSync(join(dir, ".bashrc"))).toBe(false);
    await runBin(bin, ["create", "--only", "common", "--update-shell-profile"], { cwd: dir, env });
    await runBin(bin, ["create", "--only", "common", "--update-shell-profile", "--force"], { cwd: dir, env });
    const lines = readFileSync(join(dir, ".bashrc"), "utf8").trim().split("\n");
    expect(lines).toEqual([`export PATH="${dir}/repo/.sweval/envs/common/bin:$PATH"`, 'export PATH="$HOME/.local/bin:$PATH"']);
  });

  it("explains a missing uv with the command that installs it", async () => {
    const dir = await goodEnv();
    const result = await runBin(bin, ["create"], { cwd: dir, env: { ...cleanEnv(), PATH: "/nonexistent" } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/uv is not installed[\s\S]*curl -LsSf https:\/\/astral\.sh\/uv\/install\.sh \| sh/);
  });
});

/** No inherited variables that .env also sets, so the file is what is checked. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of [
    "REPO_PATH",
    "HUGGINGFACE_CACHE",
    "UV_CACHE",
    "VLLM_CACHE",
    "TSUBAME_GROUP",
    "OPENAI_API_KEY",
    "HF_TOKEN",
    "GROUP_AND_NAME",
    "SWEVAL_ENV_FILE",
  ])
    delete env[key];
  return env;
}
