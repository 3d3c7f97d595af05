import { statSync } from "node:fs";
import { InputError } from "@sweval/core";
import { asyncBufferFromFile } from "hyparquet";
import { type DetailsFile, openDetailsBuffer } from "./read-details.js";

/** Opens a details parquet file: reads only the footer. Not a parquet file, or a truncated one, is an InputError. */
export async function openDetails(path: string): Promise<DetailsFile> {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch (error) {
    throw new InputError("no such file", { code: "E_INPUT_FILE", file: path, cause: error });
  }
  if (!stat.isFile()) throw new InputError("not a file", { code: "E_INPUT_FILE", file: path });
  return openDetailsBuffer(await asyncBufferFromFile(path), path);
}
