// Types for the synthetic results generator, so TypeScript tests can import it.
export interface GeneratedTask {
  suite: string;
  name: string;
  fewshot: string;
  subsets: Set<string>;
  metrics: Set<string>;
}
export function random(seed: number): () => number;
export function v4Tasks(confFile?: string): GeneratedTask[];
export function resultsFileText(options: {
  model: string;
  task: GeneratedTask | undefined;
  next: () => number;
  withConfigTasks?: boolean;
}): string;
export function timestamp(n: number, fraction?: boolean): string;
export function writeModel(
  dir: string,
  options: { model: string; seed: number; taskCount?: number; stale?: boolean; foreign?: boolean; tasks?: GeneratedTask[] },
): void;
export function writeTree(out: string, models: number, taskCount?: number): Array<{ model: string; dir: string }>;
