// Test-only: rewrites a parquet file's column chunks as V1 data pages of a fixed number of levels each. Cutting at
// a level count, not at a row, puts record boundaries in the middle of pages and records across pages — what
// older writers did and what a V1 reader has to put back together. PLAIN values, snappy, no dictionary and no page
// index: the Swallow fork's files are V1 pages without a page index. The page bodies are encoded with
// hyparquet-writer's level and PLAIN encoders; the values come from decoding the input with hyparquet.
import type { ColumnChunk, DecodedArray, SchemaTree } from "hyparquet";
import { parquetMetadata } from "hyparquet";
import { parquetHeader } from "hyparquet/src/column.js";
import { decompressPage, readDataPage, readDataPageV2 } from "hyparquet/src/datapage.js";
import { parquetSchema } from "hyparquet/src/metadata.js";
import { readPlain } from "hyparquet/src/plain.js";
import { getMaxDefinitionLevel, getMaxRepetitionLevel } from "hyparquet/src/schema.js";
import { compressors } from "hyparquet-compressors";
import { ByteWriter } from "hyparquet-writer";
import { writePageHeader } from "hyparquet-writer/src/datapage.js";
import { writeRleBitPackedHybrid } from "hyparquet-writer/src/encoding.js";
import { writeMetadata } from "hyparquet-writer/src/metadata.js";
import { writePlain } from "hyparquet-writer/src/plain.js";
import { snappyCompress } from "hyparquet-writer/src/snappy.js";
import { decoderFor } from "../src/page-reader.js";

export function rewriteAsV1Pages(input: ArrayBuffer, levelsPerPage: number): Uint8Array {
  const metadata = parquetMetadata(input);
  const schema = parquetSchema(metadata);
  const writer = new ByteWriter();
  writer.appendUint32(0x31524150);
  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) writeChunk(writer, input, chunk, schema, levelsPerPage);
  }
  // hyparquet-writer brings its own hyparquet, whose FileMetaData type is the same shape under another path.
  writeMetadata(writer, metadata as Parameters<typeof writeMetadata>[1]);
  writer.appendUint32(0x31524150);
  return new Uint8Array(writer.getBuffer());
}

function writeChunk(writer: ByteWriter, input: ArrayBuffer, chunk: ColumnChunk, schema: SchemaTree, levelsPerPage: number): void {
  const meta = chunk.meta_data;
  if (!meta) throw new Error("chunk without metadata");
  // The reader's own column decoder settings: this helper decodes with hyparquet, as the reader does.
  const decoder = decoderFor(schema, chunk);
  const { schemaPath, element } = decoder;
  const maxRep = getMaxRepetitionLevel(schemaPath);
  const maxDef = getMaxDefinitionLevel(schemaPath);
  const { rep, def, values } = decodeChunk(input, chunk, decoder, maxRep, maxDef);

  const start = writer.offset;
  let uncompressed = 0;
  let valueIndex = 0;
  for (let a = 0; a < def.length; a += levelsPerPage) {
    const b = Math.min(def.length, a + levelsPerPage);
    const body = new ByteWriter();
    if (maxRep > 0) appendLevels(body, rep.slice(a, b), maxRep);
    if (maxDef > 0) appendLevels(body, def.slice(a, b), maxDef);
    let present = 0;
    for (let i = a; i < b; i++) if (def[i] === maxDef) present++;
    writePlain(body, values.slice(valueIndex, valueIndex + present), meta.type, element.type_length);
    valueIndex += present;
    const raw = body.getBytes();
    const compressed = snappyCompress(raw);
    const headerStart = writer.offset;
    writePageHeader(writer, {
      type: "DATA_PAGE",
      uncompressed_page_size: raw.byteLength,
      compressed_page_size: compressed.byteLength,
      data_page_header: { num_values: b - a, encoding: "PLAIN", definition_level_encoding: "RLE", repetition_level_encoding: "RLE" },
    });
    uncompressed += writer.offset - headerStart + raw.byteLength;
    writer.appendBytes(compressed);
  }
  Object.assign(meta, {
    codec: "SNAPPY",
    encodings: ["PLAIN", "RLE"],
    data_page_offset: BigInt(start),
    dictionary_page_offset: undefined,
    total_compressed_size: BigInt(writer.offset - start),
    total_uncompressed_size: BigInt(uncompressed),
    statistics: undefined,
    encoding_stats: undefined,
    size_statistics: undefined,
  });
  Object.assign(chunk, {
    file_offset: BigInt(start),
    offset_index_offset: undefined,
    offset_index_length: undefined,
    column_index_offset: undefined,
    column_index_length: undefined,
  });
}

function appendLevels(body: ByteWriter, levels: number[], max: number): void {
  const encoded = new ByteWriter();
  writeRleBitPackedHybrid(encoded, levels, 32 - Math.clz32(max));
  body.appendUint32(encoded.offset);
  body.appendBytes(encoded.getBytes());
}

/** Every level and (physical, undictionaried) value of a chunk, whatever its page version and encoding. */
function decodeChunk(input: ArrayBuffer, chunk: ColumnChunk, decoder: Parameters<typeof readDataPage>[2], maxRep: number, maxDef: number) {
  const meta = chunk.meta_data as NonNullable<ColumnChunk["meta_data"]>;
  const start = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
  const reader = { view: new DataView(input, start, Number(meta.total_compressed_size)), offset: 0 };
  const rep: number[] = [];
  const def: number[] = [];
  const values: unknown[] = [];
  let dictionary: DecodedArray | undefined;
  while (reader.offset < reader.view.byteLength - 1) {
    const header = parquetHeader(reader);
    const bytes = new Uint8Array(input, start + reader.offset, header.compressed_page_size);
    reader.offset += header.compressed_page_size;
    if (header.type === "DICTIONARY_PAGE") {
      const page = decompressPage(bytes, header.uncompressed_page_size, meta.codec, compressors);
      dictionary = readPlain(
        { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 },
        meta.type,
        header.dictionary_page_header?.num_values ?? 0,
        decoder.element.type_length,
      );
      continue;
    }
    let page: ReturnType<typeof readDataPage>;
    let count: number;
    let encoding: string;
    if (header.type === "DATA_PAGE_V2" && header.data_page_header_v2) {
      page = readDataPageV2(bytes, header, decoder);
      count = header.data_page_header_v2.num_values;
      encoding = header.data_page_header_v2.encoding;
    } else if (header.data_page_header) {
      page = readDataPage(decompressPage(bytes, header.uncompressed_page_size, meta.codec, compressors), header.data_page_header, decoder);
      count = header.data_page_header.num_values;
      encoding = header.data_page_header.encoding;
    } else throw new Error(`unexpected page ${header.type}`);
    for (let i = 0; i < count; i++) {
      rep.push(maxRep > 0 ? (page.repetitionLevels?.[i] ?? 0) : 0);
      def.push(page.definitionLevels?.length ? (page.definitionLevels[i] as number) : maxDef);
    }
    const decoded = Array.from(page.dataPage as ArrayLike<unknown>);
    for (const value of decoded) values.push(encoding.endsWith("_DICTIONARY") ? (dictionary as DecodedArray)[value as number] : value);
  }
  return { rep, def, values };
}
