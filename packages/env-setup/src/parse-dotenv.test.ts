import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { testdir } from "@sweval/test-utils";
import { describe, expect, it } from "vitest";
import { parseDotenv } from "./parse-dotenv.js";

/** The oracle: what bash itself gets from `set -a; . file`, for the given keys. */
function bashValues(dir: string, text: string, keys: string[], env: Record<string, string>): Record<string, string> {
  const file = join(dir, "case.env");
  writeFileSync(file, text);
  const script = `set -a; . ${JSON.stringify(file)} >/dev/null 2>&1; ${keys.map((k) => `printf '%s\\0' "\${${k}-<unset>}"`).join("; ")}`;
  const result = spawnSync("bash", ["-c", script], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env }, encoding: "utf8" });
  const values = result.stdout.split("\0");
  return Object.fromEntries(keys.map((k, i) => [k, values[i] ?? ""]));
}

const CORPUS: Array<[string, string]> = [
  ["plain, quoted and exported", "A=plain\nB=\"double quoted\"\nC='single $A'\nexport D=exported\n"],
  ["comments and blank lines", "# comment\n\nA=1 # trailing comment\nB='#not a comment'\nC=x#y\n"],
  [
    "expansion chains",
    'GROUP_AND_NAME="tga-x/me"\nREPO_PATH="/gs/fs/${GROUP_AND_NAME}/repo"\nCACHE=$REPO_PATH/cache\nDEEP="${CACHE}/hf"\n',
  ],
  ["defaults", 'A="${UNSET:-fallback}"\nB="${HOME:-x}/y"\nE=""\nC="${E:-empty-default}"\nD="${E-kept-empty}"\n'],
  ["undefined variables", 'A="${NOPE}/x"\nB=$NOPE2\n'],
  ["a reference cycle", 'A="${B}a"\nB="${A}b"\n'],
  ["escapes", 'A="say \\"hi\\" \\$HOME \\\\ done"\nB=a\\ b\nC="tab\\tstays"\n'],
  ["multi-line double quotes", 'A="line one\nline two"\nB=after\n'],
  ["tilde", "A=~/cache\nB='~/literal'\n"],
  ["adjacent quoted parts", 'A="a"\'b\'c"$HOME"\n'],
  ["an environment value", 'HOME2="${HOME}/sub"\n'],
  ["Japanese text", 'SYSTEM="あなたは誠実で優秀な日本人のアシスタントです。"\n'],
];

describe(parseDotenv, () => {
  it.each(CORPUS)("expands %s exactly as bash does", async (_, text) => {
    const dir = await testdir();
    const env = { HOME: "/home/u" };
    const parsed = parseDotenv(text, { env });
    const keys = [...new Set(parsed.entries.map((e) => e.key))];
    expect(keys.length).toBeGreaterThan(0);
    expect(Object.fromEntries(keys.map((k) => [k, parsed.values[k]]))).toEqual(bashValues(dir, text, keys, env));
  });

  it("strips CR from CRLF files but warns, since bash would keep it in every value", () => {
    const parsed = parseDotenv('A=one\r\nB="two"\r\n');
    expect(parsed.values).toEqual({ A: "one", B: "two" });
    expect(parsed.issues).toEqual([{ line: 1, message: expect.stringMatching(/CRLF line endings: bash keeps the carriage return/) }]);
  });

  it("lets the real environment win over the file, and expansions see the winning value", () => {
    const parsed = parseDotenv('GROUP_AND_NAME="file/me"\nREPO_PATH="/gs/${GROUP_AND_NAME}"\n', { env: { GROUP_AND_NAME: "env/you" } });
    expect(parsed.values).toEqual({ GROUP_AND_NAME: "env/you", REPO_PATH: "/gs/env/you" });
  });

  it.each([
    ["A = 1\n", 1, /spaces around =/],
    ["A=two words\n", 1, /bash would run "words" as a command/],
    ['A="open\n', 1, /unterminated quote/],
    ["just text\n", 1, /not a KEY=value assignment/],
    ["1A=x\n", 1, /"1A" is not a valid variable name/],
    ['A="${B}"\n', 1, /\$\{B\} is not defined before this line/],
    ["A=$(whoami)\n", 1, /command substitution \(\$\( or a backquote\): sourcing \.env would run it, so jobs refuse/],
    ["A=1\nB=`whoami`\n", 2, /command substitution/],
    ["A='$(whoami)'\n", 1, /command substitution/],
    ["# $(whoami)\n", 1, /jobs refuse a \.env holding one anywhere \(comments too\)/],
    [`A=x\n${Array.from({ length: 40 }, () => 'A="$A$A"').join("\n")}\n`, 22, /the value grows past 1048576 characters when expanded/],
    ['\nA="${B}a"\nB="${A}b"\n', 2, /\$\{B\} is not defined/],
  ])("reports %j at line %i", (text, line, message) => {
    const issue = parseDotenv(text).issues[0];
    expect(issue?.line).toBe(line);
    expect(issue?.message).toMatch(message);
  });
});
