// Page-level reading of a row range. hyparquet's row reader fetches and decodes a nested column's whole chunk
// (every page, every value) when the file has no page index, which is the Swallow fork's case: a 100 MB row group
// for the first 50 rows. This reader walks a chunk page by page, fetches only the bytes it walks, stops at the
// page that ends the range, and turns into JS values only the values inside the range. hyparquet still does the
// format work (page headers, codecs, encodings, Dremel assembly); its version is pinned because these modules
// are internal to it.
import { type AsyncBuffer, type ColumnChunk, type DecodedArray, type FileMetaData, readOffsetIndex, type SchemaTree } from "hyparquet";
import { assembleLists, assembleNested } from "hyparquet/src/assemble.js";
import { parquetHeader } from "hyparquet/src/column.js";
import { convert, DEFAULT_PARSERS } from "hyparquet/src/convert.js";
import { decompressPage, readDataPage, readDataPageV2 } from "hyparquet/src/datapage.js";
import { readRleBitPackedHybrid } from "hyparquet/src/encoding.js";
import { parquetSchema } from "hyparquet/src/metadata.js";
import { readPlain } from "hyparquet/src/plain.js";
import { getMaxDefinitionLevel, getMaxRepetitionLevel, getTreePath } from "hyparquet/src/schema.js";
import { compressors } from "hyparquet-compressors";
import { type PageBytes, pageBytes, prepareZstd, type StreamedInput } from "./page-bytes.js";
import { plainLeaf } from "./plain.js";

type ColumnDecoder = Parameters<typeof convert>[1];
const MiB = 1024 * 1024;

/** A file that can also be read synchronously (the Node file reader can; a URL cannot). */
export interface SyncReadable {
  readSync(start: number, end: number): Uint8Array;
}

/** Decompression buffers a scan reuses, by column path. */
export type ScanBuffers = Map<string, Uint8Array>;
type PageHeader = ReturnType<typeof parquetHeader>;

/** Rows [from, to) of one row group, as objects keyed by top-level column. */
export async function readGroupRows(
  file: AsyncBuffer,
  metadata: FileMetaData,
  group: number,
  from: number,
  to: number,
  columns?: string[],
): Promise<Record<string, unknown>[]> {
  return new GroupReader(file, metadata, group, columns, null).read(from, to);
}

/**
 * Reads one row group forward, range after range, keeping each column's current page between reads: a scan
 * decodes every page once however it is sliced, and the strings of one slice can die young.
 */
export class GroupReader {
  private readonly schema: SchemaTree;
  private readonly leaves: Array<{ path: string[]; cursor: LeafCursor }>;

  /**
   * `scan`: every row will be read, so whole pages are decompressed in one go, each into a buffer that is reused
   * from page to page and group to group (keyed by column); nothing decoded keeps a view into it.
   */
  constructor(file: AsyncBuffer, metadata: FileMetaData, group: number, columns: string[] | undefined, scan: ScanBuffers | null) {
    this.schema = parquetSchema(metadata);
    const rowGroup = metadata.row_groups[group];
    if (!rowGroup) throw new Error(`no row group ${group}`);
    this.leaves = rowGroup.columns
      .filter((chunk) => !columns || columns.includes(chunk.meta_data?.path_in_schema[0] ?? ""))
      .map((chunk) => ({
        path: chunk.meta_data?.path_in_schema ?? [],
        cursor: new LeafCursor(file, chunk, decoderFor(this.schema, chunk), scan),
      }));
  }

  /** Rows [from, to); `from` must not be before the end of the previous read. */
  async read(from: number, to: number): Promise<Record<string, unknown>[]> {
    const data = await Promise.all(this.leaves.map((leaf) => leaf.cursor.take(from, to)));
    const count = to - from;
    const rows: Record<string, unknown>[] = Array.from({ length: count }, () => ({}));
    for (const top of this.schema.children) {
      const own = this.leaves
        .map((leaf, i) => ({ path: leaf.path, data: data[i] as DecodedArray }))
        .filter((leaf) => leaf.path[0] === top.element.name);
      if (own.length === 0) continue;
      let column: DecodedArray;
      if (top.children.length === 0) column = (own[0] as { data: DecodedArray }).data;
      else {
        const byPath = new Map<string, DecodedArray>(own.map((leaf) => [leaf.path.join("."), leaf.data]));
        assembleNested(byPath, top, DEFAULT_PARSERS);
        column = byPath.get(top.element.name) ?? [];
      }
      for (let i = 0; i < count; i++) (rows[i] as Record<string, unknown>)[top.element.name] = column[i];
    }
    return rows;
  }
}

// --- one leaf column chunk ---

/** A data page's levels and a way to turn a span of its values into JS values. */
interface DecodedPage {
  rep: ArrayLike<number> | null;
  def: ArrayLike<number> | null;
  levels: number;
  /** Level index of each record start (rep = 0), or null when every level starts a record. */
  starts: number[] | null;
  values: (skip: number, count: number) => unknown[];
}

/** hyparquet's decoder settings for one column chunk: strings decoded only where the schema says UTF-8. */
export function decoderFor(schema: SchemaTree, chunk: ColumnChunk): ColumnDecoder {
  const meta = chunk.meta_data;
  if (!meta) throw new Error("column chunk without metadata");
  const schemaPath = getTreePath(schema, meta.path_in_schema);
  const element = (schemaPath[schemaPath.length - 1] as SchemaTree).element;
  return {
    pathInSchema: meta.path_in_schema,
    type: meta.type,
    element,
    schemaPath,
    codec: meta.codec,
    parsers: DEFAULT_PARSERS,
    compressors,
    utf8: false,
  };
}

/** One leaf column chunk, read forward: records [from, to) at a time, assembled into lists where it repeats. */
class LeafCursor {
  private readonly maxRep: number;
  private readonly maxDef: number;
  private source: PageSource | null = null;
  private dictionary: DecodedArray | undefined;
  private page: DecodedPage | null = null;
  /** The current page's first record (the first that starts in it), its record count, and what was consumed. */
  private pageRecord = 0;
  private pageRecords = 0;
  private pageKnown: number | null = null;
  private levelPos = 0;
  private valuePos = 0;
  /** Records that start in the pages walked so far: the next page's first record. */
  private record = 0;
  private position = 0;

  constructor(
    private readonly file: AsyncBuffer,
    private readonly chunk: ColumnChunk,
    private readonly decoder: ColumnDecoder,
    private readonly scan: ScanBuffers | null,
  ) {
    this.maxRep = getMaxRepetitionLevel(decoder.schemaPath);
    this.maxDef = getMaxDefinitionLevel(decoder.schemaPath);
  }

  async take(from: number, to: number): Promise<DecodedArray> {
    if (from < this.position) throw new Error(`column cursor moves forward only (at ${this.position}, asked for ${from})`);
    this.position = to;
    // A scan streams big snappy pages through the decompressor in windows read synchronously (where the file
    // can), so a page's compressed bytes never sit in memory whole next to its decompressed ones.
    const sync = this.scan && this.decoder.codec === "SNAPPY" && "readSync" in this.file ? (this.file as AsyncBuffer & SyncReadable) : null;
    this.source ??= await PageSource.open(this.file, this.chunk, from, this.scan ? 2 * MiB : MiB, sync);
    if (this.decoder.codec === "ZSTD") await prepareZstd();
    const rep: number[] = [];
    const def: number[] = [];
    const values: unknown[] = [];
    for (;;) {
      if (!this.page || this.levelPos >= this.page.levels) {
        if (this.page && this.record === to && this.pageKnown !== null) break;
        if (!(await this.nextPage(from, to))) break;
      }
      const page = this.page as DecodedPage;
      const base = this.pageRecord;
      const startOf = (index: number) => (page.starts ? (page.starts[index] as number) : index);
      // Levels before a page's first record start continue the previous page's last record.
      const a = Math.max(this.levelPos, from < base ? 0 : from - base < this.pageRecords ? startOf(from - base) : page.levels);
      const b = to < base ? 0 : to - base < this.pageRecords ? startOf(to - base) : page.levels;
      if (b <= this.levelPos) break;
      this.valuePos += this.present(page, this.levelPos, a);
      const count = this.present(page, a, b);
      if (page.def) for (let i = a; i < b; i++) def.push(page.def[i] as number);
      if (page.rep) for (let i = a; i < b; i++) rep.push(page.rep[i] as number);
      const span = page.values(this.valuePos, count);
      for (let i = 0; i < span.length; i++) values.push(plainLeaf(span[i]));
      this.valuePos += count;
      this.levelPos = b;
      // A V1 page of a repeated column can end inside a record, so the next page's first levels may still
      // belong to the range; V2 pages and flat columns end on record boundaries.
      if (b < page.levels) break;
    }
    if (this.maxRep === 0 && this.maxDef === 0) return values;
    return assembleLists([], def, rep, values as DecodedArray, this.decoder.schemaPath);
  }

  /** The scan's buffer for this column, grown to `size`; the page it held before is used up. */
  private scratch(size: number): Uint8Array {
    const key = this.decoder.pathInSchema.join(".");
    let buffer = this.scan?.get(key);
    if (!buffer || buffer.byteLength < size) {
      buffer = new Uint8Array(size);
      this.scan?.set(key, buffer);
    }
    return buffer.subarray(0, size);
  }

  /** Values present (not null) among levels [a, b) of a page. */
  private present(page: DecodedPage, a: number, b: number): number {
    if (!page.def) return Math.max(0, b - a);
    let count = 0;
    for (let i = a; i < b; i++) if (page.def[i] === this.maxDef) count++;
    return count;
  }

  /** Moves to the next data page that can hold records from `from` on; false at the chunk's end. */
  private async nextPage(from: number, to: number): Promise<boolean> {
    const source = this.source as PageSource;
    for (let next = await source.next(); next; next = await source.next()) {
      const { header, bytes } = next;
      if (header.type === "DICTIONARY_PAGE") {
        this.dictionary = readDictionary(bytes, header, this.decoder);
        continue;
      }
      const first = next.firstRecord ?? this.record;
      const known = knownRecords(header, this.maxRep > 0);
      if (known !== null && first + known <= from) {
        this.record = first + known;
        continue;
      }
      // A page the reads will cover end to end is decompressed in one go; one a range starts or ends inside is
      // decompressed only as far as it is read (a page skipped to reach `from`: its levels only).
      const whole = this.scan !== null || (known !== null && from <= first && first + known <= to);
      // Only the snappy decoder writes into a buffer it is given.
      const scratch =
        this.scan && header.type === "DATA_PAGE" && this.decoder.codec === "SNAPPY"
          ? this.scratch(Number(header.uncompressed_page_size))
          : undefined;
      this.page = decodePage(next.streamed ?? bytes, header, this.decoder, this.maxRep, this.maxDef, this.dictionary, whole, scratch);
      this.pageRecord = first;
      this.pageRecords = this.page.starts ? this.page.starts.length : this.page.levels;
      this.pageKnown = known;
      this.record = first + this.pageRecords;
      this.levelPos = 0;
      this.valuePos = 0;
      return true;
    }
    this.page = null;
    return false;
  }
}

/** Records in a page, when its header says so without decompressing it. */
function knownRecords(header: PageHeader, repeated: boolean): number | null {
  if (header.type === "DATA_PAGE_V2") return header.data_page_header_v2?.num_rows ?? null;
  if (header.type === "DATA_PAGE" && !repeated) return header.data_page_header?.num_values ?? null;
  return null;
}

function readDictionary(bytes: Uint8Array, header: PageHeader, decoder: ColumnDecoder): DecodedArray {
  const page = decompressPage(bytes, Number(header.uncompressed_page_size), decoder.codec, decoder.compressors);
  const count = header.dictionary_page_header?.num_values ?? 0;
  const raw = readPlain({ view: viewOf(page), offset: 0 }, decoder.type, count, decoder.element.type_length);
  return convert(raw, decoder);
}

function decodePage(
  bytes: Uint8Array | StreamedInput,
  header: PageHeader,
  decoder: ColumnDecoder,
  maxRep: number,
  maxDef: number,
  dictionary: DecodedArray | undefined,
  whole: boolean,
  scratch?: Uint8Array,
): DecodedPage {
  let rep: ArrayLike<number> | null = null;
  let def: ArrayLike<number> | null = null;
  let levels: number;
  let values: DecodedPage["values"];
  const v1 = header.data_page_header;
  if (header.type === "DATA_PAGE" && v1) {
    const page = pageBytes(bytes, Number(header.uncompressed_page_size), decoder.codec, whole, scratch);
    const reader = { view: viewOf(page.bytes), offset: 0 };
    levels = v1.num_values;
    if (maxRep > 0) rep = readLevels(page, reader, maxRep, levels);
    if (maxDef > 0) def = readLevels(page, reader, maxDef, levels);
    const present = def ? countEqual(def, maxDef) : levels;
    if (v1.encoding === "PLAIN" && decoder.type === "BYTE_ARRAY") values = lazyByteArrays(page, reader.offset, decoder);
    else {
      page.ensure(page.bytes.byteLength);
      if (/_DICTIONARY$/.test(v1.encoding)) values = dictionaryValues(page.bytes, reader, present, dictionary);
      else {
        const all = readDataPage(page.bytes, v1, decoder).dataPage;
        values = (skip, count) => Array.from(convert(all.slice(skip, skip + count), decoder) as ArrayLike<unknown>);
      }
    }
  } else if (header.type === "DATA_PAGE_V2" && header.data_page_header_v2 && bytes instanceof Uint8Array) {
    const v2 = header.data_page_header_v2;
    const page = readDataPageV2(bytes, header, decoder);
    levels = v2.num_values;
    if (maxRep > 0) rep = page.repetitionLevels ?? null;
    if (maxDef > 0) def = page.definitionLevels?.length ? page.definitionLevels : new Array<number>(levels).fill(maxDef);
    const all = page.dataPage;
    values = /_DICTIONARY$/.test(v2.encoding)
      ? (skip, count) => mapDictionary(all, skip, count, dictionary)
      : (skip, count) => Array.from(convert(all.slice(skip, skip + count), decoder) as ArrayLike<unknown>);
  } else throw new Error(`parquet unsupported page type: ${header.type}`);
  let starts: number[] | null = null;
  if (rep) {
    starts = [];
    for (let i = 0; i < levels; i++) if (rep[i] === 0) starts.push(i);
  }
  return { rep, def, levels, starts, values };
}

function readLevels(page: PageBytes, reader: { view: DataView; offset: number }, max: number, count: number): number[] {
  page.ensure(reader.offset + 4);
  page.ensure(reader.offset + 4 + reader.view.getUint32(reader.offset, true));
  const output = new Array<number>(count);
  readRleBitPackedHybrid(reader, 32 - Math.clz32(max), output);
  return output;
}

function countEqual(levels: ArrayLike<number>, value: number): number {
  let count = 0;
  for (let i = 0; i < levels.length; i++) if (levels[i] === value) count++;
  return count;
}

/** PLAIN byte arrays: walk the length prefixes to the span, decode only the span. */
function lazyByteArrays(page: PageBytes, offset: number, decoder: ColumnDecoder): DecodedPage["values"] {
  const view = viewOf(page.bytes);
  // Where the last span ended, so reading a page slice after slice walks its length prefixes once.
  let index = 0;
  let position = offset;
  return (skip, count) => {
    if (skip < index) {
      index = 0;
      position = offset;
    }
    for (; index < skip; index++) {
      page.ensure(position + 4);
      position += 4 + view.getUint32(position, true);
    }
    const raw = new Array<Uint8Array>(count);
    for (let i = 0; i < count; i++) {
      page.ensure(position + 4);
      const length = view.getUint32(position, true);
      page.ensure(position + 4 + length);
      raw[i] = page.bytes.subarray(position + 4, position + 4 + length);
      position += 4 + length;
    }
    index += count;
    return Array.from(convert(raw, decoder) as ArrayLike<unknown>);
  };
}

function dictionaryValues(
  page: Uint8Array,
  reader: { view: DataView; offset: number },
  present: number,
  dictionary: DecodedArray | undefined,
): DecodedPage["values"] {
  const width = reader.view.getUint8(reader.offset++);
  const indexes = new Array<number>(present);
  if (width) readRleBitPackedHybrid(reader, width, indexes, page.byteLength - reader.offset);
  else indexes.fill(0);
  return (skip, count) => mapDictionary(indexes, skip, count, dictionary);
}

function mapDictionary(indexes: ArrayLike<unknown>, skip: number, count: number, dictionary: DecodedArray | undefined): unknown[] {
  if (!dictionary) throw new Error("parquet dictionary page missing before a dictionary-encoded page");
  const output = new Array<unknown>(count);
  for (let i = 0; i < count; i++) output[i] = dictionary[Number(indexes[skip + i])];
  return output;
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

// --- walking a chunk's pages ---

interface WalkedPage {
  header: PageHeader;
  bytes: Uint8Array;
  /** Set instead of `bytes` for a page read through in windows. */
  streamed?: StreamedInput;
  /** Set where the offset index says which record the page starts with. */
  firstRecord?: number;
}

/**
 * A chunk's pages in order: with an offset index, the dictionary page and only the data pages that overlap the
 * range (fetched as one span); without one, every page from the chunk's start, read forward in windows until the
 * caller stops asking.
 */
class PageSource {
  private constructor(
    private readonly reader: ForwardReader,
    private readonly end: number,
    private readonly located: Array<{ offset: number; firstRecord: number }> | null,
    /** The chunk starts with a dictionary page, to be read before the located data pages. */
    private dictionaryFirst: boolean,
  ) {}

  /**
   * `window`: bytes fetched at a time; a scan reads more per call, a range read no more than it needs. `sync`: the
   * file's synchronous reader, to stream V1 data pages bigger than a window.
   */
  static async open(file: AsyncBuffer, chunk: ColumnChunk, from: number, window: number, sync: SyncReadable | null): Promise<PageSource> {
    const meta = chunk.meta_data;
    if (!meta) throw new Error("column chunk without metadata");
    const chunkStart = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
    const chunkEnd = chunkStart + Number(meta.total_compressed_size);
    if (chunk.offset_index_offset === undefined || !chunk.offset_index_length)
      return new PageSource(new ForwardReader(file, chunkStart, chunkEnd, window, sync), chunkEnd, null, false);
    const indexStart = Number(chunk.offset_index_offset);
    const indexBytes = await file.slice(indexStart, indexStart + chunk.offset_index_length);
    const pages = readOffsetIndex({ view: new DataView(indexBytes), offset: 0 }).page_locations;
    const located = pages
      .map((page, i) => ({
        offset: Number(page.offset),
        size: page.compressed_page_size,
        firstRecord: Number(page.first_row_index),
        endRecord: i + 1 < pages.length ? Number(pages[i + 1]?.first_row_index) : Number.POSITIVE_INFINITY,
      }))
      .filter((page) => page.endRecord > from);
    const firstData = pages[0] ? Number(pages[0].offset) : chunkEnd;
    const last = located[located.length - 1];
    const spanEnd = last ? Math.min(chunkEnd, last.offset + last.size) : firstData;
    const hasDictionary = firstData > chunkStart;
    // One read from the dictionary through the chosen pages when they are close; the reader fetches the gap otherwise.
    const reader = new ForwardReader(file, hasDictionary ? chunkStart : (located[0]?.offset ?? chunkStart), spanEnd, window, sync);
    return new PageSource(reader, spanEnd, located, hasDictionary);
  }

  async next(): Promise<WalkedPage | null> {
    if (this.dictionaryFirst) {
      this.dictionaryFirst = false;
      const page = await this.reader.next();
      if (page.header.type === "DICTIONARY_PAGE") return page;
    }
    if (this.located) {
      const page = this.located.shift();
      if (!page) return null;
      this.reader.seek(page.offset);
      return { ...(await this.reader.next()), firstRecord: page.firstRecord };
    }
    if (this.reader.position >= this.end - 1) return null;
    return this.reader.next();
  }
}

/** A page size as parquet writes it: a non-negative int32. */
function isSize(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) < 2 ** 31;
}

/** Reads a byte range forward in windows, so walking pages does not fetch the bytes it does not reach. */
class ForwardReader {
  position: number;
  private buffer = new Uint8Array(0);
  private bufferStart = 0;

  constructor(
    private readonly file: AsyncBuffer,
    start: number,
    private readonly end: number,
    private readonly window: number,
    private readonly sync: SyncReadable | null,
  ) {
    this.position = start;
  }

  seek(position: number): void {
    this.position = position;
  }

  async next(): Promise<{ header: PageHeader; bytes: Uint8Array; streamed?: StreamedInput }> {
    let headerBytes = 64 * 1024;
    for (;;) {
      await this.ensure(this.position, Math.min(headerBytes, this.end - this.position));
      const offset = this.position - this.bufferStart;
      const reader = { view: viewOf(this.buffer), offset };
      try {
        const header = parquetHeader(reader);
        const dataStart = this.bufferStart + reader.offset;
        if (
          !isSize(header.compressed_page_size) ||
          !isSize(header.uncompressed_page_size) ||
          dataStart + header.compressed_page_size > this.end
        )
          throw new Error(`corrupt page header at byte ${this.position}`);
        const size = header.compressed_page_size;
        if (this.sync && header.type === "DATA_PAGE" && size > this.window) {
          const { sync, window } = this;
          this.position = dataStart + size;
          this.buffer = new Uint8Array(0);
          this.bufferStart = this.position;
          const read = (start: number) => sync.readSync(dataStart + start, dataStart + Math.min(size, start + window));
          return { header, bytes: this.buffer, streamed: { size, read } };
        }
        await this.ensure(dataStart, header.compressed_page_size);
        const local = dataStart - this.bufferStart;
        const bytes = this.buffer.subarray(local, local + header.compressed_page_size);
        this.position = dataStart + header.compressed_page_size;
        // Let go of a window once it is used up, so its bytes live only as long as the page that holds them.
        if (this.position >= this.bufferStart + this.buffer.byteLength) {
          this.buffer = new Uint8Array(0);
          this.bufferStart = this.position;
        }
        return { header, bytes };
      } catch (error) {
        // A header with large statistics can run past the window: widen it and parse again.
        if (!(error instanceof RangeError) || headerBytes >= this.end - this.position) throw error;
        headerBytes *= 16;
      }
    }
  }

  private async ensure(start: number, length: number): Promise<void> {
    const bufferEnd = this.bufferStart + this.buffer.byteLength;
    if (start >= this.bufferStart && start + length <= bufferEnd) return;
    if (start + length > this.end) throw new RangeError("parquet page runs past its column chunk: the file may be truncated");
    const fetchEnd = Math.min(this.end, start + Math.max(length, this.window));
    this.buffer = new Uint8Array(await this.file.slice(start, fetchEnd));
    this.bufferStart = start;
  }
}
