#!/bin/bash
#PBS -S /bin/bash
# sweval job ja_gpqa: tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5 on abci3/rt_HF
# Rendered by @sweval/job-renderer 0.1.0 from plan 0cb8c30f6c992792; re-render instead of editing.
set -euo pipefail

# The legacy job script sources .env, sets up modules and serves the model itself.
exec bash /repo/scripts/qsub/evaluate_lighteval.sh --task-name swallow_gpqa_ja --node-kind rt_HF --provider vllm --model-name tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5 --repo-path /repo --service abci --stdout-stderr-dir /repo/results/hosted_vllm/tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5/ja/gpqa
