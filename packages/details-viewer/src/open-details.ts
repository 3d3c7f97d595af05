import { closeSync, openSync, readSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { InputError } from "@sweval/core";
import type { AsyncBuffer } from "hyparquet";
import type { SyncReadable } from "./page-reader.js";
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
  return openDetailsBuffer(fileBuffer(path, stat.size), path);
}

/**
 * A file as an AsyncBuffer that reads each slice with one positioned read into one allocation. hyparquet's
 * `asyncBufferFromFile` streams 64 KiB chunks and concatenates them, which made reading a 100 MB row group
 * take longer than decompressing it.
 */
export function fileBuffer(path: string, size: number): AsyncBuffer & SyncReadable {
  return {
    readSync(start: number, end: number): Uint8Array {
      const bytes = new Uint8Array(Math.max(0, Math.min(end, size) - start));
      const fd = openSync(path, "r");
      try {
        let done = 0;
        while (done < bytes.byteLength) {
          const read = readSync(fd, bytes, done, bytes.byteLength - done, start + done);
          if (read === 0) break;
          done += read;
        }
        return bytes.subarray(0, done);
      } finally {
        closeSync(fd);
      }
    },
    byteLength: size,
    async slice(start: number, end = size): Promise<ArrayBuffer> {
      const bytes = new Uint8Array(Math.max(0, Math.min(end, size) - start));
      const handle = await open(path, "r");
      try {
        let done = 0;
        while (done < bytes.byteLength) {
          const { bytesRead } = await handle.read(bytes, done, bytes.byteLength - done, start + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return done === bytes.byteLength ? bytes.buffer : bytes.buffer.slice(0, done);
      } finally {
        await handle.close();
      }
    },
  };
}
