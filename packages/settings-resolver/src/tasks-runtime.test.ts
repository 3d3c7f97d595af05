import { describe, expect, it } from "vitest";
import { parseTasksRuntime } from "./tasks-runtime.js";

const V4 = [
  "key,script,result_dir,framework,hrt_q,hrt_f,wlt_HG,wlt_HF",
  "en_hellaswag,hellaswag,en/hellaswag,lighteval,00:30:00,02:00:00,00:30:00,02:00:00,",
  "en_mmlu,mmlu_english,en/mmlu,lighteval,02:00:00,08:00:00,02:00:00,08:00:00",
].join("\n");

describe(parseTasksRuntime, () => {
  it("reads the 8-column V4 form and ignores the trailing comma's empty 9th field", () => {
    const table = parseTasksRuntime(V4, "t.csv");
    expect(table.rows.map((r) => r.key)).toEqual(["en_hellaswag", "en_mmlu"]);
    expect(table.byKey.get("en_hellaswag")).toMatchObject({
      script: "hellaswag",
      resultDir: "en/hellaswag",
      framework: "lighteval",
      walltimes: { hrt_q: "00:30:00", hrt_f: "02:00:00", wlt_HG: "00:30:00", wlt_HF: "02:00:00" },
      line: 2,
    });
  });

  it("reads the 6-column TSUBAME form without PBS columns", () => {
    const table = parseTasksRuntime(
      "key,script,result_dir,framework,hrt_q,hrt_f\nja_gpqa,swallow_gpqa_ja,ja/gpqa,lighteval,00:30:00,02:00:00\n",
      "t.csv",
    );
    expect(table.byKey.get("ja_gpqa")?.walltimes).toEqual({ hrt_q: "00:30:00", hrt_f: "02:00:00" });
  });

  it("trims spaces, tabs and CR like the awk lookups, and keeps the first of duplicate keys", () => {
    const text =
      "key,script,result_dir,framework,hrt_q,hrt_f\r\n ja_gpqa ,\tswallow_gpqa_ja, ja/gpqa ,lighteval,00:30:00,02:00:00 \r\nja_gpqa,other,x,lighteval,01:00:00,01:00:00\r\n";
    const row = parseTasksRuntime(text, "t.csv").byKey.get("ja_gpqa");
    expect(row).toMatchObject({ script: "swallow_gpqa_ja", resultDir: "ja/gpqa", line: 2 });
  });

  it.each([
    ["a wrong header", "key,task\nx,y", /t\.csv:1: unexpected header "key,task"/],
    [
      "a short row",
      "key,script,result_dir,framework,hrt_q,hrt_f\nja_gpqa,swallow_gpqa_ja,ja/gpqa\n",
      /t\.csv:2: field "framework": row has 3 of 6 columns/,
    ],
    [
      "a bad walltime",
      "key,script,result_dir,framework,hrt_q,hrt_f\nja_gpqa,s,ja/gpqa,lighteval,30min,02:00:00\n",
      /t\.csv:2: field "hrt_q": expected a walltime like 02:00:00, received "30min"/,
    ],
    ["an empty file", "", /t\.csv: empty file/],
    [
      "a key that would end a script line (quoted newline)",
      'key,script,result_dir,framework,hrt_q,hrt_f\nja_ok,s,ja/ok,lighteval,00:30:00,00:30:00\n"ja_x\ntouch /tmp/p",s,ja/x,lighteval,00:30:00,00:30:00\n',
      /t\.csv:3: field "key": task key "ja_x\?touch \/tmp\/p" may hold only letters, digits/,
    ],
    [
      "a quote that never closes, named where it opens",
      'key,script,result_dir,framework,hrt_q,hrt_f\nja_a,s,ja/a,lighteval,00:30:00,00:30:00\n"ja_b,s,ja/b,lighteval,00:30:00,00:30:00\nja_c,s,ja/c,l,00:30:00,00:30:00\n',
      /t\.csv:3: malformed CSV: Quote Not Closed: the parsing is finished with an opening quote/,
    ],
    [
      "a key with shell syntax",
      "key,script,result_dir,framework,hrt_q,hrt_f\nja_$(id),s,ja/x,lighteval,00:30:00,00:30:00\n",
      /t\.csv:2: field "key": task key "ja_\$\(id\)"/,
    ],
    [
      "a result_dir leaving the results tree",
      "key,script,result_dir,framework,hrt_q,hrt_f\nja_x,s,../../../etc,lighteval,00:30:00,00:30:00\n",
      /t\.csv:2: field "result_dir": result_dir "..\/..\/..\/etc" must be a relative path of names/,
    ],
    [
      "an absolute result_dir",
      "key,script,result_dir,framework,hrt_q,hrt_f\nja_x,s,/etc,lighteval,00:30:00,00:30:00\n",
      /field "result_dir"/,
    ],
    [
      "a NUL byte",
      "key,script,result_dir,framework,hrt_q,hrt_f\nja_x,s,ja/x,lighteval,00:30:00,00:30:00\nja_\u0000y,s,ja/y,l,00:30:00,00:30:00\n",
      /t\.csv:3: a NUL byte in the CSV/,
    ],
    [
      "bytes that are not UTF-8",
      "key,script,result_dir,framework,hrt_q,hrt_f\nja_\uFFFDx,s,ja/x,lighteval,00:30:00,00:30:00\n",
      /t\.csv:2: bytes that are not UTF-8/,
    ],
  ])("throws InputError naming file, line and field for %s", (_, text, message) => {
    expect(() => parseTasksRuntime(text, "t.csv")).toThrow(message);
  });
});
