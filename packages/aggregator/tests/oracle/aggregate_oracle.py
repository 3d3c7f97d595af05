"""A Python statement of the legacy aggregate_results.py behaviour (legacy-workflow.md §5), written from the
spec for sweval's tests: the real json.dump, float repr and str() are the oracle for byte-identical output,
and the benchmark uses it as the one-process-per-model baseline. Reads sweval's conf YAML through a tiny
JSON export (the benchmark and tests pass --conf-json) so it needs no third-party package."""
import argparse
import glob
import json
import os
import sys
from datetime import datetime


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--model_name", required=True)
    p.add_argument("--raw_results_dir", required=True)
    p.add_argument("--aggregated_outputs_dir", required=True)
    p.add_argument("--used_custom_settings_path", default="")
    p.add_argument("--used_custom_settings_name", default="")
    p.add_argument("--used_custom_settings_version", default="")
    p.add_argument("--conf_json", required=True)
    return p.parse_args()


def load_latest(raw_dir, model_name):
    latest = {}
    for path in glob.glob(os.path.join(raw_dir, "*.json")):
        name = os.path.basename(path)
        if not (name.startswith("results_") and name.endswith(".json")):
            print(f"Skip {name}", file=sys.stderr)
            continue
        try:
            ts = datetime.strptime(name[len("results_"):-len(".json")], "%Y-%m-%dT%H-%M-%S.%f")
        except ValueError:
            print(f"Skip {name}", file=sys.stderr)
            continue
        with open(path) as f:
            data = json.load(f)
        if data["config_general"]["model_name"] != model_name:
            continue
        config_tasks = data.get("config_tasks", {})
        for task_key, metrics in data["results"].items():
            parts = task_key.split("|")
            if len(parts) < 2:
                continue
            task, _, subset = parts[1].partition(":")
            if subset == "_average":
                continue
            sample_num = (config_tasks.get(f"{parts[0]}|{parts[1]}") or {}).get("effective_num_docs", -1)
            key = f"{task}:{subset}"
            if key not in latest or ts > latest[key]["ts"]:
                latest[key] = {"ts": ts, "task_key": task_key, "base": f"{parts[0]}|{task}|{parts[2] if len(parts) > 2 else ''}", "subset": subset, "metrics": metrics, "n": sample_num}
    return latest


def pick(latest, task_key, metric_key, **_):
    for e in latest.values():
        if e["task_key"] == task_key:
            return e["metrics"].get(metric_key, -1)
    return -1


def micro_average(latest, task_key, metric_key, white_list=(), **_):
    total = 0
    n_total = 0
    for e in latest.values():
        if e["base"] != task_key:
            continue
        if white_list and e["subset"] not in white_list:
            continue
        if metric_key not in e["metrics"]:
            print(f"No {metric_key} in {e['task_key']}", file=sys.stderr)
            continue
        total += e["n"] * e["metrics"][metric_key]
        n_total += e["n"]
    if n_total == 0:
        print(f"No samples found for {task_key}", file=sys.stderr)
        return -1
    return total / n_total


def average_in_one_task(latest, task_key, metric_key, **_):
    for e in latest.values():
        if e["task_key"] == task_key:
            for k in metric_key:
                assert k in e["metrics"], k
            return sum(e["metrics"][k] for k in metric_key) / len(metric_key)
    return -1


FUNCS = {"pick": pick, "micro_average": micro_average, "average_in_one_task": average_in_one_task}


def resolve_multi(func, latest, tasks, **kwargs):
    found = [r for r in (func(latest, t, **kwargs) for t in tasks) if r != -1]
    if not found:
        return -1
    if len(found) == 1:
        return found[0]
    raise ValueError("found in several task keys")


def main():
    args = parse_args()
    conf = json.load(open(args.conf_json))
    latest = load_latest(args.raw_results_dir, args.model_name)
    results = {}
    for column in conf["columns"]:
        try:
            func = FUNCS[column["fn"]]
            white_list = column.get("whiteListSubsets") or ()
            value = resolve_multi(func, latest, column["tasks"], metric_key=column["metric"], white_list=white_list)
            assert value is not None
        except Exception:
            print(f"Error processing {column['name']}", file=sys.stderr)
            value = -1
        results[column["name"]] = value
    out = {
        "model": args.model_name,
        "results": results,
        "overall": ",".join(str(v) for v in results.values()),
        "tasks": list(results.keys()),
        "custom_settings": {"path": args.used_custom_settings_path, "name": args.used_custom_settings_name, "version": args.used_custom_settings_version},
    }
    os.makedirs(args.aggregated_outputs_dir, exist_ok=True)
    with open(os.path.join(args.aggregated_outputs_dir, "aggregated_results.json"), "w") as f:
        json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
