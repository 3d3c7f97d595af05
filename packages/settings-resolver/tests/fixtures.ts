import { testdir } from "@sweval/test-utils";

/** A small sweval root (conf/ + generation_settings/) written into a temp dir. */
export function fixtureRoot(extra: Record<string, string> = {}): Promise<string> {
  return testdir({
    "conf/tasks_runtime.csv": [
      "key,script,result_dir,framework,hrt_q,hrt_f,wlt_HG,wlt_HF",
      "ja_gpqa,swallow_gpqa_ja,ja/gpqa,lighteval,00:30:00,02:00:00,00:30:00,02:00:00,",
      "ja_mtbench,japanese_mt_bench,ja/mt_bench,lighteval,04:00:00,16:00:00,04:00:00,16:00:00",
      "en_gpqa_diamond,gpqa:diamond,en/gpqa_diamond,lighteval,00:30:00,02:00:00,00:30:00,02:00:00",
      "en_livecodebench_v5_v6,lcb:codegeneration_v5_v6,en/livecodebench_v5_v6,lighteval,02:00:00,08:00:00,02:00:00,08:00:00",
    ].join("\n"),
    "generation_settings/task_settings.csv": [
      "key,generation_settings",
      'swallow_gpqa_ja,"temperature=0.0"',
      'japanese_mt_bench,""',
      'gpqa:diamond,"temperature=0.0,max_new_tokens=1024"',
      'lcb:codegeneration_v5_v6,"temperature=0.6,top_p=0.95"',
    ].join("\n"),
    "generation_settings/custom_model_settings/org/model.yaml": [
      "sampling:",
      "  system_message: 'be brief'",
      "  temperature: 0.6",
      "  top_p: null",
      "  max_n: 4",
      '  version: "2"',
      "reasoning:",
      "  reasoning_parser: deepseek_r1",
      "  max_model_length: 8192",
      '  version: "1"',
      "markup:",
      "  reasoning_parser: deepseek_r1_markup",
      "  reasoning_effort: high",
      '  version: "1"',
    ].join("\n"),
    ...extra,
  });
}

/** A Hugging Face hub cache with one model, in the real layout: refs/main → snapshots/<rev>/. */
export async function hubCache(modelId: string, files: Record<string, unknown>, revision = "0123abc") {
  const folder = `hub/models--${modelId.replace("/", "--")}`;
  const tree: Record<string, string> = { [`${folder}/refs/main`]: revision };
  for (const [name, content] of Object.entries(files)) {
    tree[`${folder}/snapshots/${revision}/${name}`] = typeof content === "string" ? content : JSON.stringify(content);
  }
  // A stale snapshot that refs/main does not point to must be ignored.
  tree[`${folder}/snapshots/stale000/config.json`] = JSON.stringify({ max_position_embeddings: 1 });
  return testdir(tree);
}
