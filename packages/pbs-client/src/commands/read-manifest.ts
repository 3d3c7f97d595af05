import { resolve } from "node:path";
import { InputError, type Io, parseJsonText, readAll, readTextInput } from "@sweval/core";
import { type JobsManifest, parseJobsManifest } from "@sweval/job-renderer/schema";

/** The manifest from --manifest or stdin, held to its schema (version 2, or version 1 read as before). */
export async function readManifest(file: string | undefined, io: Io): Promise<JobsManifest> {
  const source = file ? resolve(io.cwd, file) : "<stdin>";
  if (!file && io.stdin.isTTY)
    io.stderr.write("sweval-pbs: reading a sweval/jobs manifest from stdin (pipe sweval-render here, or pass --manifest)\n");
  const text = file ? await readTextInput(source, "manifest") : await readAll(io.stdin);
  if (text.trim() === "")
    throw new InputError("no manifest: pipe sweval-render into sweval-pbs submit, or pass --manifest", {
      code: "E_NO_MANIFEST",
      file: source,
    });
  return parseJobsManifest(parseJsonText(text, source), source);
}
