import { type Dialect, nameDotJobIdLogs } from "./types.js";

/**
 * This machine: sweval's own local scheduler runs the script with bash as a detached process group. It
 * takes dependencies as job ids (not flags), so the argv stays as it is and `control` is null.
 */
export const local: Dialect = {
  scheduler: "local",
  directives: (_job, { cluster }) => [...cluster.jobHeader],
  logPaths: nameDotJobIdLogs,
  submitArgv: (job) => ["bash", job.script],
  withDependencies: (argv) => [...argv],
  control: null,
  reservations: false,
};
