"""Details parquet files written the way the Swallow lighteval fork writes them (real-programs.md §3.5): rows as its
detail logger fills them, per task family, through datasets' Dataset.from_list, the sorted columns, to_parquet.

Usage: fork_details.py <out dir>; writes <family>.parquet for each family below. Values are invented; the shapes
(and so the Arrow types pyarrow infers) are the fork's.
"""
import sys

from datasets import Dataset


def common(example, full_prompt, predictions, gold, metrics, specifics):
    return {
        "choices": [],
        "cont_tokens": [[]],
        "example": example,
        "full_prompt": full_prompt,
        "gold": gold,
        "gold_index": [],
        "input_tokens": [[]],
        "instruction": "",
        "metrics": metrics,
        "num_asked_few_shots": 0,
        "num_effective_few_shots": 0,
        "padded": [0],
        "pred_logits": [],
        "prediction_logits": [],
        "predictions": predictions,
        "specifics": specifics,
        "truncated": [0],
    }


def user(text):
    return [{"role": "user", "content": text}]


def generative(i):  # family A (math_500) and B (multiple choice): the same types
    extracted = ["204", "204"] if i % 2 == 0 else []
    return common(f"question {i}", user(f"question {i}"), ["The answer is $\\boxed{204}$."], ["204"],
                  {"extractive_match": float(i % 2 == 0)},
                  {"extracted_predictions": extracted, "extracted_golds": ["204", "204"]})


def instruction(i):  # mifeval_ja / ifbench_singleturn: the task's own specifics (main.py:21-24)
    return common(f"instruction {i}", user(f"instruction {i}"), ["三百語以内で答えます。"], ["42"],
                  {name: float(i % 2 == 0) for name in ("prompt_level_strict_acc", "inst_level_strict_acc",
                                                          "prompt_level_loose_acc", "inst_level_loose_acc")},
                  {"instructions_id_list": ["ja:length_constraints:number_letters"],
                   "kwargs": [{"num_words": 300, "relation": "less than"}]})


def sampling(i):  # V5 N4 variants: extractive, n = 4, with the answer frequencies
    return common(f"question {i}", user(f"question {i}"), ["The answer is 42."] * 4, ["42"],
                  {f"extractive_match_{kind}@{k}:4": 0.5 for kind in ("pass", "maj") for k in (1, 2, 4)},
                  {"extracted_predictions": ["42", "42"], "extracted_golds": ["42", "42"],
                   "extracted_predictions_freq": [{"answer": "42", "count": 3, "is_correct": True},
                                                  {"answer": "41", "count": 1, "is_correct": False}]})


def jhumaneval(i):  # family C, n = 10
    answers = [f"```python\ndef add(a, b):\n    return a + b  # {k}\n```" for k in range(10)]
    prompt = user(f"以下の関数を実装してください {i}")
    return common(f"def add(a, b): {i}", prompt, answers, [""],
                  {"humaneval_pass@1:10": 0.3, "humaneval_pass@10:10": 1.0},
                  {"fn_name": "add", "task_id": f"JHumanEval/{i}", "check_fn": "def check(candidate): ...",
                   "extracted_predictions": ["def add(a, b):\n    return a + b\n"] * 10,
                   "results": "[[true], [false]]", "context": prompt})


def lcb(i):  # family C, LiveCodeBench: fn_name is None in every row
    answers = [f"```python\nprint(sum(map(int, input().split())))  # {k}\n```" for k in range(10)]
    return common(f"problem {i}", user(f"problem {i}"), answers, [""],
                  {"codegen_pass@1:10": 0.2, "codegen_pass@10:10": 0.6},
                  {"inputs": ["3\n1 2 3\n"], "outputs": ["6\n"], "fn_name": None,
                   "extracted_predictions": ["print(6)"] * 10, "results": "[[true, true]]"})


CATEGORIES = ["writing", "math"]


def mt_bench(i):  # family D: per-turn prompts, turns x samples, judge fields for the row's own category only
    category = CATEGORIES[i % 2]
    q1, q2 = f"質問 {i}", f"続きの質問 {i}"
    turn1 = [{"role": "user", "content": q1}]
    turn2 = [{"role": "user", "content": q1}, {"role": "assistant", "content": "答え"}, {"role": "user", "content": q2}]
    judge = [[{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": "[Instruction] ..."}]] * 5
    metrics = {
        "judge_score_overall_turn_1": [8, 9, 8, 7, 9],
        "judge_score_overall_turn_2": [7, 7, 8, 6, 9],
        "judge_score_overall_turn_1_avg": 8.2,
        "judge_score_overall_turn_2_avg": 7.4,
        "judge_score_overall_avg": 7.8,
        "user_prompt_overall_turn_1": judge,
        "user_prompt_overall_turn_2": judge,
        "judgement_overall_turn_1": ["... Rating: [[8]]"] * 5,
        "judgement_overall_turn_2": ["... Rating: [[7]]"] * 5,
        f"judge_score_{category}_turn_1_avg": 8.2,
        f"judge_score_{category}_turn_2_avg": 7.4,
        f"judge_score_{category}_avg": 7.8,
        f"japanese_ratio_{category}": [["春は", "夏は"]] * 5,
        "japanese_ratio_overall": [["春は", "夏は"]] * 5,
    }
    specifics = {
        "reference": [{"turns": ["", ""]}],
        "category": category,
        "multi_turn_queries": [q1, q2],
        "id": 81 + i,
        "num_samples": 5,
        "temperature": 0.7,
        "max_gen_text_length": 8192,
        "apply_result": [turn1, turn2],
        "multi_turn_queries_context": [turn1, turn2],
    }
    return common(q1, [turn1, turn2], [["春は桜"] * 5, ["夏は蝉"] * 5], [], metrics, specifics)


FAMILIES = {"generative": generative, "instruction": instruction, "sampling": sampling, "jhumaneval": jhumaneval, "lcb": lcb, "mt_bench": mt_bench}

if __name__ == "__main__":
    out = sys.argv[1]
    for name, make in FAMILIES.items():
        dataset = Dataset.from_list([make(i) for i in range(4)])
        dataset = dataset.select_columns(sorted(dataset.column_names))
        dataset.to_parquet(f"{out}/{name}.parquet")
