// A page's uncompressed bytes, produced only as far as they are read. A V1 data page holds its levels first and
// then its values in row order, so the first 50 rows of a 9,000-row page need about the first 1% of it: stopping
// the decompressor there is what makes a first page cheap on files with few, huge pages.
import type { CompressionCodec } from "hyparquet";
import { decompressPage } from "hyparquet/src/datapage.js";
import { compressors } from "hyparquet-compressors";
import { ZSTDDecoder } from "zstddec/stream";

/** A page's compressed bytes read on demand: `read(start)` returns the next window from `start` (page-relative). */
export interface StreamedInput {
  size: number;
  read: (start: number) => Uint8Array;
}

export interface PageBytes {
  /** The whole page's buffer; only bytes below the last `ensure` are filled. */
  readonly bytes: Uint8Array;
  /** Makes bytes [0, end) available. */
  ensure(end: number): void;
}

/**
 * `whole`: the caller will read the whole page, so it is decompressed in one go; otherwise snappy and zstd pages
 * are decompressed incrementally, as far as they are read. zstd needs `prepareZstd()` first; without it, and for
 * the other codecs, the page is decompressed whole by hyparquet-compressors.
 */
export function pageBytes(
  compressed: Uint8Array | StreamedInput,
  size: number,
  codec: CompressionCodec,
  whole: boolean,
  output?: Uint8Array,
): PageBytes {
  if (!(compressed instanceof Uint8Array) || codec === "SNAPPY") {
    // Streamed pages are snappy ones (see ForwardReader). JS snappy measured as fast as hysnappy's WASM on whole
    // pages here, without a WASM memory that grows to the largest page and never shrinks.
    const page = new LazySnappy(compressed, size, output);
    if (whole) page.ensure(size);
    return page;
  }
  if (codec === "UNCOMPRESSED") return complete(compressed);
  if (codec === "ZSTD" && zstd) return whole ? complete(zstd.decode(compressed, size)) : new LazyZstd(compressed, size, zstd);
  return complete(decompressPage(compressed, size, codec, compressors));
}

let zstd: ZSTDDecoder | null = null;
let zstdLoading: Promise<void> | null = null;

/**
 * Loads the WASM zstd decoder (about 30 ms, once, before a zstd chunk is read): ~10× faster than the pure-JS fzstd
 * that hyparquet-compressors uses (243 MB of pages: 0.6 s against 6.6 s here), and it can stream.
 */
export function prepareZstd(): Promise<void> {
  zstdLoading ??= (async () => {
    const decoder = new ZSTDDecoder();
    await decoder.init();
    zstd = decoder;
  })();
  return zstdLoading;
}

function complete(bytes: Uint8Array): PageBytes {
  return {
    bytes,
    ensure(end) {
      if (end > bytes.byteLength) throw new RangeError(`parquet page is shorter (${bytes.byteLength} bytes) than its contents say`);
    },
  };
}

/** Snappy's raw format, decoded element by element and resumable: literals and back-references into the output. */
class LazySnappy implements PageBytes {
  readonly bytes: Uint8Array;
  /** The compressed bytes at hand: all of them, or the window at `inputStart` of a streamed page. */
  private input: Uint8Array;
  private inputStart = 0;
  private readonly inputTotal: number;
  private readonly more: ((start: number) => Uint8Array) | null;
  /** Position in the compressed stream. */
  private inPos = 0;
  private outPos = 0;

  /** `output`: where to decompress to (a reused buffer of exactly `size` bytes), else a new one. */
  constructor(input: Uint8Array | StreamedInput, size: number, output?: Uint8Array) {
    if (input instanceof Uint8Array) {
      this.input = input;
      this.inputTotal = input.byteLength;
      this.more = null;
    } else {
      this.input = new Uint8Array(0);
      this.inputTotal = input.size;
      this.more = input.read;
    }
    this.bytes = output?.byteLength === size ? output : new Uint8Array(size);
    let length = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = this.byte();
      length += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    if (length !== size) throw new Error(`snappy: page says ${size} bytes, stream says ${length}`);
  }

  ensure(end: number): void {
    const { bytes } = this;
    if (end > bytes.byteLength) throw new RangeError(`parquet page is shorter (${bytes.byteLength} bytes) than its contents say`);
    while (this.outPos < end) {
      const tag = this.byte();
      const kind = tag & 3;
      if (kind === 0) {
        let length = tag >>> 2;
        if (length >= 60) {
          const extra = length - 59;
          length = 0;
          for (let i = 0; i < extra; i++) length += this.byte() * 2 ** (8 * i);
        }
        length += 1;
        if (this.inPos + length > this.inputTotal || this.outPos + length > bytes.byteLength)
          throw new Error("snappy: literal runs past the buffer");
        this.literal(length);
        continue;
      }
      let length: number;
      let offset: number;
      if (kind === 1) {
        length = ((tag >>> 2) & 7) + 4;
        offset = ((tag >>> 5) << 8) | this.byte();
      } else if (kind === 2) {
        length = (tag >>> 2) + 1;
        offset = this.byte() | (this.byte() << 8);
      } else {
        length = (tag >>> 2) + 1;
        offset = (this.byte() | (this.byte() << 8) | (this.byte() << 16)) + this.byte() * 2 ** 24;
      }
      if (offset === 0 || offset > this.outPos || this.outPos + length > bytes.byteLength)
        throw new Error("snappy: invalid back-reference");
      const from = this.outPos - offset;
      if (offset >= length) bytes.copyWithin(this.outPos, from, from + length);
      else for (let i = 0; i < length; i++) bytes[this.outPos + i] = bytes[from + i] as number;
      this.outPos += length;
    }
    // Done: the compressed bytes are no longer needed, and may be a large window of the file.
    if (this.outPos === bytes.byteLength) this.input = new Uint8Array(0);
  }

  /** Copies `length` literal bytes, across input windows where the page is streamed. */
  private literal(length: number): void {
    let left = length;
    while (left > 0) {
      let at = this.inPos - this.inputStart;
      if (at >= this.input.byteLength) {
        this.refill();
        at = 0;
      }
      const take = Math.min(left, this.input.byteLength - at);
      this.bytes.set(this.input.subarray(at, at + take), this.outPos);
      this.inPos += take;
      this.outPos += take;
      left -= take;
    }
  }

  private byte(): number {
    let value = this.input[this.inPos - this.inputStart];
    if (value === undefined) {
      this.refill();
      value = this.input[0] as number;
    }
    this.inPos++;
    return value;
  }

  private refill(): void {
    if (!this.more || this.inPos >= this.inputTotal) throw new Error("snappy: premature end of input");
    this.input = this.more(this.inPos);
    this.inputStart = this.inPos;
    if (this.input.byteLength === 0) throw new Error("snappy: premature end of input");
  }
}

/** zstd through zstddec's streaming decoder, fed 64 KiB of input at a time until enough output has come out. */
class LazyZstd implements PageBytes {
  readonly bytes: Uint8Array;
  private outPos = 0;
  private readonly output: Generator<Uint8Array>;

  constructor(input: Uint8Array, size: number, decoder: ZSTDDecoder) {
    this.bytes = new Uint8Array(size);
    this.output = decoder.decodeStreaming(windows(input, 64 * 1024));
  }

  ensure(end: number): void {
    if (end > this.bytes.byteLength) throw new RangeError(`parquet page is shorter (${this.bytes.byteLength} bytes) than its contents say`);
    while (this.outPos < end) {
      const next = this.output.next();
      if (next.done) throw new Error("zstd: premature end of input");
      if (this.outPos + next.value.byteLength > this.bytes.byteLength) throw new Error("zstd: page decompresses past its size");
      this.bytes.set(next.value, this.outPos);
      this.outPos += next.value.byteLength;
    }
  }
}

function* windows(input: Uint8Array, size: number): Generator<Uint8Array> {
  for (let start = 0; start < input.byteLength; start += size) yield input.subarray(start, start + size);
}
