#!/bin/bash
#PBS -S /bin/bash
# sweval job ja_gpqa: tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5 [default] on abci3/rt_HG
# Rendered by @sweval/job-renderer 0.1.0 from plan 90ee57bbba483b38; re-render instead of editing.
set -euo pipefail

# PBS writes -o/-e when the job ends; the live output goes to the same files meanwhile, appended (as the legacy job).
exec > >(tee -a /repo/results/hosted_vllm/tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5/default/ja/gpqa/"${PBS_JOBID}.OU") 2> >(tee -a /repo/results/hosted_vllm/tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5/default/ja/gpqa/"${PBS_JOBID}.ER" >&2)

# Secrets stay in .env and are read at run time; they are never written into this file.
SWEVAL_ENV_FILE="${SWEVAL_ENV_FILE:-/repo/.env}"
if [ -f "$SWEVAL_ENV_FILE" ]; then
  # Sourcing would run a $( ) or backquote in .env: refuse a file holding one anywhere, as sweval-env check says.
  # shellcheck disable=SC2016
  if grep -qF -e '$(' -e '`' "$SWEVAL_ENV_FILE"; then
    echo "sweval job: $SWEVAL_ENV_FILE holds \$( or a backquote, which sourcing would run; refusing it (sweval-env check names the line)" >&2
    exit 2
  fi
  set -a +u
  # shellcheck source=/dev/null
  . "$SWEVAL_ENV_FILE"
  set +a -u
fi
if [ -n "${HUGGINGFACE_CACHE:-}" ]; then export HF_HOME="$HUGGINGFACE_CACHE" HUGGINGFACE_HUB_CACHE="$HUGGINGFACE_CACHE"; fi
if [ -n "${UV_CACHE:-}" ]; then export UV_CACHE_DIR="$UV_CACHE"; fi
if [ -n "${VLLM_CACHE:-}" ]; then export VLLM_CACHE_ROOT="$VLLM_CACHE"; fi
export PATH="$HOME/.local/bin:$PATH"

# Cluster setup from abci3's profile; site scripts may read unset variables.
set +u
export JOB_ID="${PBS_JOBID}"
export TMPDIR="/local/${JOB_ID}"
# shellcheck source=/dev/null
. /etc/profile.d/modules.sh
set -u

cd /repo
# sweval-run from the install that rendered this job; SWEVAL_RUN (a command) or SWEVAL_NODE replace it.
set -- --plan <out>/hosted_vllm/tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5/default/plan.json --task ja_gpqa
if [ -n "${SWEVAL_RUN:-}" ]; then exec "$SWEVAL_RUN" "$@"; fi
SWEVAL_NODE="${SWEVAL_NODE:-/gs/fs/tga-example/sweval/bin/node}"
sweval_entry=/gs/fs/tga-example/sweval/lib/node_modules/@sweval/cli/node_modules/@sweval/inference-runner/bin/sweval-run.js
if [ ! -x "$SWEVAL_NODE" ]; then
  echo "sweval job: node $SWEVAL_NODE is not on ${HOSTNAME:-this node}; install sweval on a filesystem the compute nodes share, or set SWEVAL_RUN or SWEVAL_NODE" >&2
  exit 127
fi
if [ ! -f "$sweval_entry" ]; then
  echo "sweval job: sweval-run $sweval_entry is not on ${HOSTNAME:-this node}; install sweval on a filesystem the compute nodes share, or set SWEVAL_RUN or SWEVAL_NODE" >&2
  exit 127
fi
exec "$SWEVAL_NODE" -- "$sweval_entry" "$@"
