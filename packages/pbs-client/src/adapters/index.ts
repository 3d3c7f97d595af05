import { type AccountingInfo, dialectFor, type Scheduler, type SchedulerControl } from "@sweval/clusters";
import { currentUser, type ExecResult, lastLines } from "../exec.js";
import { localAdapter } from "./local.js";
import type { SchedulerAdapter } from "./types.js";

/** The adapter for a scheduler: its dialect's commands and parsers run through exec, or the local scheduler. */
export function adapterFor(scheduler: Scheduler, localStateDir: string): SchedulerAdapter {
  const control = dialectFor(scheduler).control;
  return control ? commandAdapter(control) : localAdapter(localStateDir);
}

/** A dialect's queue, accounting and cancel commands, run one by one; parsing stays in the dialect. */
function commandAdapter(control: SchedulerControl): SchedulerAdapter {
  return {
    parseSubmitOutput: control.parseSubmitOutput,
    isTransient: control.isTransient,
    async queue(exec) {
      const result = await exec([...control.queueArgv]);
      if (result.exitCode !== 0) throw commandError(control.queueArgv, result);
      return control.parseQueue(result.stdout, Date.now());
    },
    async accounting(exec, id) {
      for (const query of control.accountingQueries(id)) {
        const answer = query.parse(await exec(query.argv));
        if (answer !== undefined) return answer;
      }
      return null;
    },
    async accountingMany(exec, ids) {
      const found = new Map<string, AccountingInfo>();
      for (const query of control.bulkAccounting ?? []) {
        const rest = ids.filter((id) => !found.has(id));
        if (rest.length === 0) break;
        for (const chunk of chunked(rest, query.chunk)) {
          const result = await exec(query.argv(chunk, currentUser()));
          if (result.exitCode !== 0) break;
          const wanted = new Set(chunk);
          for (const [id, info] of query.parse(result.stdout)) if (wanted.has(id)) found.set(id, info);
        }
      }
      return found;
    },
    cancel: (exec, id) => exec(control.cancelArgv(id)),
    async find(exec, job, since) {
      const result = await exec([...control.queueArgv]);
      if (result.exitCode !== 0) throw commandError(control.queueArgv, result);
      // Queue times have whole seconds: a job submitted in the second of `since` counts.
      const recent = (submittedAt: number | null | undefined) => (submittedAt ?? Number.POSITIVE_INFINITY) >= since - 2000;
      // Jobs that already ended count too: a quick job may be done before the interrupted submit is looked into.
      const found = [...control.parseQueue(result.stdout, Date.now(), { ended: true })]
        .filter(([, info]) => info.name === job.name && recent(info.submittedAt))
        .map(([id]) => id);
      if (control.endedByName) {
        const ended = await exec(control.endedByName.argv(job.name));
        if (ended.exitCode === 0)
          for (const { id, submittedAt } of control.endedByName.parse(ended.stdout))
            if (recent(submittedAt) && !found.includes(id)) found.push(id);
      }
      return found;
    },
  };
}

/** The command, its exit code and the tail of what it said, as execa words its failures. */
export function commandError(argv: readonly string[], result: ExecResult): Error {
  return Object.assign(new Error(`${argv.join(" ")} failed with exit code ${result.exitCode}: ${lastLines(result)}`), { result });
}

/** ids in runs of at most size (all at once without a size). */
function chunked(ids: string[], size: number | undefined): string[][] {
  if (!size) return [ids];
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += size) chunks.push(ids.slice(i, i + size));
  return chunks;
}
