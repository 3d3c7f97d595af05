#!/usr/bin/env bash
# The install path as a user meets it (issue: installed the way users install it). From this checkout:
# pack every package, serve the tarballs from a local registry, `npm i -g --prefix` @sweval/cli into a
# throw-away prefix, then run the README's cluster pipeline (between the `ci: cluster-pipeline` markers) from a
# directory outside the repo, with PATH holding only that prefix and the system, against the real Son of Grid
# Engine through a TSUBAME-like qsub that refuses a job without -g. The jobs rehearse, must all end done on
# the board, and the aggregation job must have written aggregated_results.json.
# Needs: a running SGE (tools/schedulers/sge-up.sh), network to the npm registry. Usage: install-smoke.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
say() { printf '[install-smoke] %s\n' "$*" >&2; }
fail() { say "FAIL: $*"; exit 1; }

# A TSUBAME-like shared filesystem when we may make one (CI runs as root), else a temporary directory.
if mkdir -p /gs/fs/tga-ci 2>/dev/null && [ -w /gs/fs/tga-ci ]; then
  work="$(mktemp -d /gs/fs/tga-ci/smoke.XXXXXX)"
else
  work="$(mktemp -d)"
fi
registry_pid=""
cleanup() {
  [ -z "$registry_pid" ] || kill "$registry_pid" 2>/dev/null || true
  # Jobs of this run that are still queued or running go with it.
  if [ -s "$work/swallow-evaluation/submitted.json" ]; then
    for id in $(node -e 'for (const o of JSON.parse(require("fs").readFileSync(process.argv[1])).outcomes) if (o.jobId) console.log(o.jobId)' "$work/swallow-evaluation/submitted.json"); do
      qdel "$id" >/dev/null 2>&1 || true
    done
  fi
  [ -n "${KEEP_SMOKE:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

say "pack every package from $repo (prepack builds each)"
mkdir -p "$work/tarballs"
(cd "$repo" && npm pack --workspaces --pack-destination "$work/tarballs" --silent >/dev/null)
rm -f "$work"/tarballs/sweval-test-utils-*.tgz
ls "$work/tarballs" >&2

say "serve them from a local registry"
node "$repo/tools/ci/local-registry.mjs" "$work/tarballs" > "$work/registry.url" &
registry_pid=$!
for _ in $(seq 50); do [ -s "$work/registry.url" ] && break; sleep 0.1; done
registry="$(cat "$work/registry.url")"
[ -n "$registry" ] || fail "the local registry did not start"

prefix="$work/sweval"
say "npm i -g --prefix $prefix @sweval/cli (@sweval/* from $registry, the rest from the public registry)"
npm install -g --prefix "$prefix" "--@sweval:registry=$registry" --no-audit --no-fund @sweval/cli >&2

# TSUBAME's qsub bills a group and refuses a job without one; SGE's has no -g: check it, record it, strip it.
mkdir -p "$work/site-bin"
cat > "$work/site-bin/qsub" <<WRAPPER
#!/bin/bash
args=(); group=""
while [ \$# -gt 0 ]; do
  if [ "\$1" = "-g" ]; then group="\$2"; shift 2; continue; fi
  args+=("\$1"); shift
done
if [ -z "\$group" ]; then echo "qsub: the TSUBAME group (-g) is required" >&2; exit 1; fi
echo "\$group" >> "$work/qsub-groups.log"
exec "$(command -v qsub)" "\${args[@]}"
WRAPPER
chmod +x "$work/site-bin/qsub"
# The site's module command, as the tsubame4 profile's setup sources it (a stub where the machine has none).
if [ ! -f /etc/profile.d/modules.sh ]; then
  printf '# sweval CI stub of Environment Modules: records loads, changes nothing.\nmodule() { echo "module $*" >&2; }\n' > /etc/profile.d/modules.sh
fi

node_dir="$(dirname "$(readlink -f "$(command -v node)")")"
sge_bin="$(dirname "$(readlink -f "$(command -v qstat)")")"
project="$work/swallow-evaluation"
mkdir -p "$project" "$work/home" "$work/hf-cache"
cat > "$project/.env" <<DOTENV
TSUBAME_GROUP="tga-ci"
REPO_PATH="$project"
HUGGINGFACE_CACHE="$work/hf-cache"
DOTENV

# The README's block, as a user pastes it, rehearsed: --rehearse added to the renderer, the board refreshed
# every 2 s instead of 60.
pipeline="$(sed -n '/<!-- ci: cluster-pipeline -->/,/<!-- \/ci: cluster-pipeline -->/p' "$repo/README.md" | sed -n '/^```bash$/,/^```$/p' | sed '/^```/d')"
[ -n "$pipeline" ] || fail "README.md has no ci: cluster-pipeline block"
pipeline="$(printf '%s\n' "$pipeline" | sed -e 's/sweval-render /sweval-render --rehearse /' -e 's/--watch [0-9][0-9]*/--watch 2/')"
printf '%s\n' "$pipeline" | sed 's/^/  | /' >&2

say "run it in $project with PATH=$work/site-bin:$prefix/bin:$node_dir:$sge_bin:/usr/bin:/bin"
(
  cd "$project"
  env -i HOME="$work/home" USER="${USER:-root}" LANG=C.UTF-8 SGE_ROOT="${SGE_ROOT:-}" SGE_CELL="${SGE_CELL:-}" \
    PATH="$work/site-bin:$prefix/bin:$node_dir:$sge_bin:/usr/bin:/bin" \
    bash -euo pipefail -c "$pipeline" > "$work/pipeline.out"
) || fail "the README pipeline failed"

env -i HOME="$work/home" PATH="$prefix/bin:$node_dir:/usr/bin:/bin" SGE_ROOT="${SGE_ROOT:-}" SGE_CELL="${SGE_CELL:-}" \
  bash -c "cd '$project' && sweval-pbs status --json" > "$work/board.json"
node - "$work/board.json" "$work/qsub-groups.log" "$project" "$prefix" <<'CHECK'
const fs = require("node:fs");
const [board, groups, project, prefix] = process.argv.slice(2);
const cells = JSON.parse(fs.readFileSync(board, "utf8")).cells;
const notDone = cells.filter((cell) => cell.state !== "done");
if (cells.length < 2 || notDone.length > 0) {
  console.error(`install-smoke: ${notDone.length} of ${cells.length} job(s) not done: ${JSON.stringify(notDone.map((c) => [c.task, c.state, c.reason]))}`);
  process.exit(1);
}
const billed = fs.readFileSync(groups, "utf8").trim().split("\n");
if (billed.length !== cells.length || billed.some((g) => g !== "tga-ci")) {
  console.error(`install-smoke: qsub saw groups ${JSON.stringify(billed)} for ${cells.length} jobs`);
  process.exit(1);
}
const results = fs.readdirSync(`${project}/results/rehearsal`, { recursive: true }).filter((f) => f.endsWith("aggregated_results.json"));
if (results.length !== 1) {
  console.error(`install-smoke: expected one aggregated_results.json, found ${JSON.stringify(results)}`);
  process.exit(1);
}
const scripts = fs.readdirSync(`${project}/jobs`, { recursive: true }).filter((f) => f.endsWith(".sh"));
const body = fs.readFileSync(`${project}/jobs/${scripts[0]}`, "utf8");
if (!body.includes(`sweval_entry=${fs.realpathSync(prefix)}/lib/node_modules/@sweval/cli/node_modules/@sweval/`)) {
  console.error("install-smoke: the job does not run the installed sweval");
  process.exit(1);
}
console.error(`install-smoke: ${cells.length} jobs done on Grid Engine, each billed to tga-ci; ${results[0]} written`);
CHECK
say "ok"
