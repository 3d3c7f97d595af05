// The details rows the fork's logger writes, per task family (real-programs.md §3.5), filled with rehearsal texts.
// Every value is marked as a rehearsal; the shapes, and so the Arrow types, are the fork's.
import { double } from "./arrow-rows.js";
import type { SubtaskRun } from "./fork-results.js";

export type Family = "generative" | "instruction" | "sampling" | "jhumaneval" | "lcb" | "mt_bench";

/** V5's N4 / N16 variants (`aime_N4`, `gpqa_N4:diamond`): the n they sample, else null. */
export function samplingN(task: string): number | null {
  const match = /_N(4|16)\b/.exec(task);
  return match ? Number(match[1]) : null;
}

/** Which family a `suite|task[:subset]` belongs to. */
export function familyOf(subtask: string): Family {
  if (/mt_bench/.test(subtask)) return "mt_bench";
  if (/lcb:codegeneration/.test(subtask)) return "lcb";
  if (/humaneval/.test(subtask)) return "jhumaneval";
  // M-IFEval-Ja and IFBench: the task's own specifics, the instructions each prompt carries and their arguments.
  if (/mifeval|ifbench/.test(subtask)) return "instruction";
  // V5's N4 / N16 variants: extractive tasks sampled n times (GENERATIVE_SAMPLING).
  if (samplingN(subtask)) return "sampling";
  return "generative";
}

export interface DetailsContext {
  /** The endpoint's answers to the rehearsal's request (n of them for an n-sample task). */
  answers: string[];
  /** --system-prompt, or null: the system message exists only when one was given. */
  systemPrompt: string | null;
}

type Message = { role: string; content: string };

export function detailsRows(run: SubtaskRun, context: DetailsContext): Array<Record<string, unknown>> {
  const family = familyOf(run.name);
  return run.prompts.map((prompt, row) => {
    const scores = Object.fromEntries(Object.entries(run.samples).map(([metric, values]) => [metric, double(values[row] ?? 0)]));
    const messages = (turn: Message[]) => (context.systemPrompt ? [{ role: "system", content: context.systemPrompt }, ...turn] : turn);
    const single = messages([{ role: "user", content: prompt }]);
    const answer = (k: number) => context.answers[k % Math.max(1, context.answers.length)] ?? "[REHEARSAL]";
    const common = {
      choices: [],
      cont_tokens: [[]],
      example: prompt,
      gold_index: [],
      input_tokens: [[]],
      instruction: "",
      num_asked_few_shots: 0,
      num_effective_few_shots: 0,
      padded: [0],
      pred_logits: [],
      prediction_logits: [],
      truncated: [0],
    };
    if (family === "mt_bench") return { ...common, ...mtBench(run, row, prompt, messages) };
    if (family === "jhumaneval" || family === "lcb") {
      const predictions = Array.from({ length: 10 }, (_, k) => `[REHEARSAL] \`\`\`python\n${answer(k)}\n\`\`\``);
      const specifics =
        family === "lcb"
          ? { inputs: ["3\n1 2 3\n"], outputs: ["6\n"], fn_name: null, extracted_predictions: predictions, results: "[[true, true]]" }
          : {
              fn_name: "rehearsal",
              task_id: `${run.name}/${row}`,
              check_fn: "def check(candidate): ...",
              extracted_predictions: predictions,
              results: "[[true], [false]]",
              context: single,
            };
      return { ...common, full_prompt: single, gold: [""], metrics: scores, predictions, specifics };
    }
    const right = Object.values(run.samples)[0]?.[row] === 1;
    if (family === "sampling") {
      const n = samplingN(run.name) ?? 4;
      const correct = right ? n - 1 : 1;
      return {
        ...common,
        full_prompt: single,
        gold: ["42"],
        metrics: scores,
        predictions: Array.from({ length: n }, (_, k) => answer(k)),
        specifics: {
          extracted_predictions: right ? ["42", "42"] : [],
          extracted_golds: ["42", "42"],
          extracted_predictions_freq: [
            { answer: "42", count: correct, is_correct: true },
            { answer: "41", count: n - correct, is_correct: false },
          ],
        },
      };
    }
    const specifics =
      family === "instruction"
        ? { instructions_id_list: ["length_constraints:number_words"], kwargs: [{ num_words: 300, relation: "less than" }] }
        : { extracted_predictions: right ? ["42", "42"] : [], extracted_golds: ["42", "42"] };
    return { ...common, full_prompt: single, gold: ["42"], metrics: scores, predictions: [answer(0)], specifics };
  });
}

/** Family D: per-turn prompts, turns × 5 samples, the judge's fields for the row's own category only. */
function mtBench(run: SubtaskRun, row: number, prompt: string, messages: (turn: Message[]) => Message[]) {
  const categories = ["writing", "roleplay", "reasoning", "math", "coding", "extraction", "stem", "humanities"];
  const category = categories[row % categories.length] as string;
  const japanese = /japanese/.test(run.name);
  const q2 = `[REHEARSAL] follow-up of ${prompt}`;
  const turn1 = messages([{ role: "user", content: prompt }]);
  const turn2 = messages([
    { role: "user", content: prompt },
    { role: "assistant", content: "[REHEARSAL] turn-1 answer" },
    { role: "user", content: q2 },
  ]);
  const judge = Array.from({ length: 5 }, () => [
    { role: "system", content: "You are a helpful assistant." },
    { role: "user", content: "[REHEARSAL] [Instruction] Please act as an impartial judge…" },
  ]);
  const score = (turn: number) => Array.from({ length: 5 }, (_, k) => 1 + ((row * 7 + turn * 3 + k) % 10));
  const mean = (values: number[]) => double(values.reduce((a, b) => a + b, 0) / values.length);
  const [t1, t2] = [score(1), score(2)];
  const ratio = Array.from({ length: 5 }, () => ["[REHEARSAL] 春は", "[REHEARSAL] 夏は"]);
  const metrics: Record<string, unknown> = {
    judge_score_overall_turn_1: t1,
    judge_score_overall_turn_2: t2,
    judge_score_overall_turn_1_avg: mean(t1),
    judge_score_overall_turn_2_avg: mean(t2),
    judge_score_overall_avg: mean([...t1, ...t2]),
    user_prompt_overall_turn_1: judge,
    user_prompt_overall_turn_2: judge,
    judgement_overall_turn_1: t1.map((s) => `[REHEARSAL] … Rating: [[${s}]]`),
    judgement_overall_turn_2: t2.map((s) => `[REHEARSAL] … Rating: [[${s}]]`),
    [`judge_score_${category}_turn_1_avg`]: mean(t1),
    [`judge_score_${category}_turn_2_avg`]: mean(t2),
    [`judge_score_${category}_avg`]: mean([...t1, ...t2]),
    ...(japanese ? { [`japanese_ratio_${category}`]: ratio, japanese_ratio_overall: ratio } : {}),
  };
  return {
    full_prompt: [turn1, turn2],
    gold: [],
    metrics,
    predictions: [
      Array.from({ length: 5 }, (_, k) => `[REHEARSAL] turn 1, sample ${k + 1}`),
      Array.from({ length: 5 }, (_, k) => `[REHEARSAL] turn 2, sample ${k + 1}`),
    ],
    specifics: {
      reference: [{ turns: ["", ""] }],
      category,
      multi_turn_queries: [prompt, q2],
      id: 81 + row,
      num_samples: 5,
      temperature: double(0.7),
      max_gen_text_length: /truncate_6144/.test(run.name) ? 6144 : 8192,
      apply_result: [turn1, turn2],
      multi_turn_queries_context: [turn1, turn2],
    },
  };
}
