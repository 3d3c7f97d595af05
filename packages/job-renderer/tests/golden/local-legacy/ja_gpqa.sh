#!/bin/bash
# sweval job ja_gpqa: tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5 on local/gpu_2
# Rendered by @sweval/job-renderer 0.1.0 from plan 821633788918d742; re-render instead of editing.
set -euo pipefail

export JOB_ID="${JOB_ID:-local$$}"

# The legacy job script sources .env, sets up modules and serves the model itself.
exec bash /repo/scripts/qsub/evaluate_lighteval.sh --task-name swallow_gpqa_ja --node-kind gpu_2 --provider vllm --model-name tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5 --repo-path /repo --service local --stdout-stderr-dir /repo/results/hosted_vllm/tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5/ja/gpqa --custom-job-id "$JOB_ID"
