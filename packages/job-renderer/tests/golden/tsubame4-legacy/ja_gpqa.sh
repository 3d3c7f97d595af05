#!/bin/bash
#$ -S /bin/bash
#$ -cwd
# sweval job ja_gpqa: tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5 [default] on tsubame4/node_q
# Rendered by @sweval/job-renderer 0.1.0 from plan b56b69167052ee5b; re-render instead of editing.
set -euo pipefail

# The legacy job script sources .env, sets up modules and serves the model itself.
exec bash /repo/scripts/qsub/evaluate_lighteval.sh --task-name swallow_gpqa_ja --node-kind node_q --provider vllm --model-name tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.5 --repo-path /repo --service tsubame --custom-settings default --max-samples 10
