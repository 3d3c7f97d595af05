import { accessSync, constants, statSync } from "node:fs";
import { InputError } from "@sweval/core";
import { JOB_TOOLS, type JobsManifest, type JobTool } from "@sweval/job-renderer/schema";

export interface ToolCheck {
  /** What the jobs will run, one line each, for the log. */
  notes: string[];
  /** Will run but may not on a compute node (a node-local path, PATH lookups). */
  warnings: string[];
}

/** Directories a compute node has its own copy of: an install there is not the one the login node sees. */
const NODE_LOCAL_ROOTS = ["/tmp/", "/var/tmp/", "/dev/shm/", "/run/"];

/**
 * On the login node, before anything is submitted: the node and entry points the manifest's jobs will run must
 * exist, or every job would die with rc 127 after waiting in the queue. An override in the environment
 * (`SWEVAL_NODE`, `SWEVAL_RUN`, `SWEVAL_AGGREGATE`) stands in for the recorded file; a missing one is an
 * InputError naming it (exit 2, nothing submitted).
 */
export function checkJobTools(manifest: JobsManifest, env: NodeJS.ProcessEnv): ToolCheck {
  const check: ToolCheck = { notes: [], warnings: [] };
  const wanted = toolsWanted(manifest);
  if (wanted.length === 0) return check;
  const tools = manifest.tools ?? null;
  const onCluster = manifest.scheduler !== "local";
  for (const tool of wanted) {
    const entry = tools?.[tool.key] ?? null;
    if (env[tool.variable]) {
      check.notes.push(`jobs run ${tool.variable}=${env[tool.variable]} (from the environment)`);
      continue;
    }
    if (!tools || !entry) {
      check.warnings.push(
        `the manifest records no ${tool.bin}: the jobs look for it on the compute node's PATH (render from an installed @sweval/cli to record it)`,
      );
      continue;
    }
    const node = env.SWEVAL_NODE || tools.node;
    requireFile(node, "node", "SWEVAL_NODE", true);
    requireFile(entry, tool.bin, tool.variable, false);
    check.notes.push(`jobs run ${entry} under ${node}`);
    if (onCluster)
      for (const path of [node, entry])
        if (NODE_LOCAL_ROOTS.some((root) => path.startsWith(root)))
          check.warnings.push(
            `${path} is under ${path.split("/")[1]}, which each compute node has its own of; install sweval on a shared filesystem`,
          );
  }
  return check;
}

// --- internal ---

function toolsWanted(manifest: JobsManifest) {
  const aggregation = (job: JobsManifest["jobs"][number]) => job.tasks.length === 1 && job.tasks[0] === "aggregate";
  const wanted: JobTool[] = [];
  if (manifest.jobCommand === "sweval-run" && manifest.jobs.some((job) => !aggregation(job))) wanted.push(JOB_TOOLS.run);
  if (manifest.jobs.some(aggregation)) wanted.push(JOB_TOOLS.aggregate);
  return wanted;
}

function requireFile(path: string, what: string, variable: string, executable: boolean): void {
  let problem: string | null = null;
  try {
    if (!statSync(path).isFile()) problem = "is not a file";
    else if (executable) accessSync(path, constants.X_OK);
  } catch (error) {
    problem = (error as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : "cannot be run";
  }
  if (problem)
    throw new InputError(`the ${what} the jobs would run, ${path}, ${problem}: every job would stop at start with rc 127`, {
      code: "E_JOB_TOOLS",
      field: `tools.${what}`,
      hint: `re-render from the sweval install the jobs should use, or export ${variable} (a .env setting is read by the jobs only)`,
    });
}
