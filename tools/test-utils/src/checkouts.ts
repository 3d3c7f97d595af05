import { testdir } from "./index.js";

/**
 * A swallow-evaluation-instruct checkout in the shape of a release, built by the tests themselves (the real one is
 * private): what sweval reads of it. v202508 is V4 (vLLM 0.9.2, Python 3.10.14, 107 aggregation entries); v202604 is
 * V5 (vLLM 0.18.0, Python 3.11.10, 157 entries, the reasoning-parser plugin folder, evaluate_lighteval.sh taking
 * --trust-remote-code). Facts from real-programs.md §1, §4 and legacy-workflow.md §12.
 */
export function swallowCheckout(release: "v202508" | "v202604", extra: Record<string, string> = {}): Promise<string> {
  const v5 = release === "v202604";
  const files: Record<string, string> = {
    "pyproject.toml": [
      "[project]",
      'name = "swallow-evaluation-instruct"',
      `requires-python = "==${v5 ? "3.11.10" : "3.10.14"}"`,
      "",
      "[project.optional-dependencies]",
      `vllm = [${v5 ? '"vllm==0.18.0"' : '"vllm>=0.9,<0.10.0"'}]`,
      `lighteval = ["lighteval", "vllm==${v5 ? "0.11.0" : "0.9.1"}"]`,
      "",
    ].join("\n"),
    // Two vLLM packages are locked: the vllm extra's and the one the lighteval extra pulls in (never served).
    "uv.lock": (v5 ? ["0.11.0", "0.18.0"] : ["0.9.1", "0.9.2"])
      .map((version) => `[[package]]\nname = "vllm"\nversion = "${version}"\nsource = { registry = "https://pypi.org/simple" }\n`)
      .join("\n"),
    "scripts/qsub/conf/tasks_runtime.csv": [
      "key,script,result_dir,framework,hrt_q,hrt_f,wlt_HG,wlt_HF",
      "ja_gpqa,swallow_gpqa_ja,ja/gpqa,lighteval,00:30:00,00:30:00,00:30:00,00:30:00",
      "en_math_500,math_500,en/math_500,lighteval,00:30:00,00:30:00,00:30:00,00:30:00",
      ...(v5 ? ["ja_polymath_n16,polymath_japanese_N16,ja/polymath_n16,lighteval,04:00:00,04:00:00,04:00:00,04:00:00"] : []),
    ].join("\n"),
    // The suite is the uncommented qsub_task lines; V5's ja_polymath_n16 row has no settings row and no active line.
    "scripts/qsub/qsub_all.sh": [
      "#!/bin/bash",
      "qsub_task() {",
      "  local lang=$1 task=$2  # qsub_task ja gpqa",
      "}",
      "qsub_task ja gpqa",
      "qsub_task en math_500 # the last one",
      ...(v5 ? ["# qsub_task ja polymath_n16"] : ["  # qsub_task en humaneval"]),
    ].join("\n"),
    "scripts/generation_settings/task_settings.csv": [
      "key,generation_settings",
      'swallow_gpqa_ja,"temperature=0.0"',
      'math_500,"temperature=0.0"',
    ].join("\n"),
    "scripts/generation_settings/custom_model_settings/llm-jp/llm-jp-4-8b-thinking.yaml":
      'reasoning:\n  reasoning_parser: llmjp4\n  version: "1"\n',
    "scripts/generation_settings/custom_model_settings/nvidia/NVIDIA-Nemotron-Nano-9B-v2-Japanese.yaml":
      'reasoning:\n  reasoning_parser: nemotron_nano_v2\n  version: "1"\n',
    "scripts/generation_settings/custom_model_settings/nvidia/Nemotron-3-Nano.yaml":
      'reasoning:\n  reasoning_parser: nemotron_v3\n  version: "1"\n',
    "scripts/qsub/evaluate_lighteval.sh": v5
      ? '#!/bin/bash\n# V5: --task-name … --trust-remote-code <true|false>\ncase "$1" in --trust-remote-code) ;; esac\n'
      : "#!/bin/bash\n# V4: --task-name … --custom-settings … --max-samples …\n",
    "scripts/aggregate_utils/conf.py": `AGGREGATE_CONF = [\n${Array.from({ length: v5 ? 157 : 107 }, (_, i) => `    {"display_name": "column_${i + 1}", "func": "pick"},`).join("\n")}\n]\n`,
    ...(v5
      ? {
          "scripts/generation_settings/reasoning_parser/multi_parser_loader.py":
            "import importlib, pathlib\nfor f in pathlib.Path(__file__).parent.glob('*_reasoning_parser.py'):\n    try:\n        importlib.import_module(f.stem)\n    except Exception as e:\n        print(f'Failed to load {f}: {e}')\n",
          "scripts/generation_settings/reasoning_parser/llmjp4_harmony.py": "def split(text):\n    return text\n",
          "scripts/generation_settings/reasoning_parser/llmjp4_reasoning_parser.py":
            'from vllm.reasoning import ReasoningParserManager\nimport llmjp4_harmony\n\n@ReasoningParserManager.register_module("llmjp4")\nclass LlmJp4ReasoningParser: ...\n',
          "scripts/generation_settings/reasoning_parser/nemotron_nano_v2_reasoning_parser.py":
            'from vllm.reasoning import ReasoningParserManager\n\n@ReasoningParserManager.register_module("nemotron_nano_v2", force=True)\nclass NemotronNanoV2ReasoningParser: ...\n',
        }
      : {}),
    ...extra,
  };
  return testdir(files);
}
