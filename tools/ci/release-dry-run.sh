#!/usr/bin/env bash
# The release process of RELEASING.md, rehearsed on a throw-away clone of this checkout's HEAD: apply the pending
# changesets (a patch one is added when none is pending), check every public package got the same new version, a
# CHANGELOG.md and its @sweval dependencies moved with it, then `npm publish --dry-run --workspaces` (which runs
# each package's prepack build and lists what would be uploaded). Nothing is published, nothing here is changed.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
say() { printf '[release-dry-run] %s\n' "$*" >&2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

git clone -q "$repo" "$work/repo"
cd "$work/repo"
npm ci --prefer-offline --no-audit --no-fund --silent
before="$(node -p 'require("./packages/core/package.json").version')"
pending=0
for file in .changeset/*.md; do [ "$file" = .changeset/README.md ] || [ ! -f "$file" ] || pending=$((pending + 1)); done
if [ "$pending" = 0 ]; then
  say "no pending changeset: adding a patch one for the rehearsal"
  printf -- '---\n"@sweval/core": patch\n---\n\nRelease dry run.\n' > .changeset/release-dry-run.md
fi
npx changeset status >&2
npx changeset version >&2
npm install --package-lock-only --no-audit --no-fund --silent

node - "$before" <<'CHECK'
const fs = require("node:fs");
const before = process.argv[2];
const dirs = fs.readdirSync("packages").map((d) => `packages/${d}`);
const manifests = dirs.map((dir) => ({ dir, ...JSON.parse(fs.readFileSync(`${dir}/package.json`, "utf8")) }));
const versions = new Set(manifests.map((m) => m.version));
const [version] = versions;
const problems = [];
if (versions.size !== 1) problems.push(`packages ended on different versions: ${[...versions].join(", ")}`);
if (version === before) problems.push(`the version stayed ${before}`);
for (const m of manifests) {
  if (!fs.existsSync(`${m.dir}/CHANGELOG.md`) || !fs.readFileSync(`${m.dir}/CHANGELOG.md`, "utf8").includes(`## ${version}`))
    problems.push(`${m.name}: no CHANGELOG.md entry for ${version}`);
  for (const [dep, range] of Object.entries(m.dependencies ?? {}))
    if (dep.startsWith("@sweval/") && range !== version) problems.push(`${m.name} still depends on ${dep}@${range}`);
}
if (fs.readdirSync(".changeset").some((f) => f.endsWith(".md") && f !== "README.md")) problems.push("changesets left unapplied");
if (problems.length > 0) {
  console.error(`release-dry-run: ${problems.join("; ")}`);
  process.exit(1);
}
console.error(`release-dry-run: ${manifests.length} packages ${before} -> ${version}, each with its CHANGELOG entry`);
CHECK

say "npm publish --dry-run --workspaces"
if ! npm publish --dry-run --workspaces > "$work/publish.out" 2>&1; then
  cat "$work/publish.out" >&2
  exit 1
fi
grep -E '^\+ |Skipping' "$work/publish.out" >&2 || true
say "ok"
