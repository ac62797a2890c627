/**
 * Just enough Ogg to know a stream's codec, channels, rate and length without decoding: the first
 * page carries the identification header, and the granule position of the last page is the sample
 * count (48 kHz units for Opus). A hostile file can lie in both; the decode loop enforces the limits
 * again on the samples it actually produces.
 */

export interface OggInfo {
  codec: 'opus' | 'vorbis';
  channels: number;
  /** Rate of the granule positions: 48000 for Opus, the stream's rate for Vorbis. */
  granuleRate: number;
  /** Opus decoders drop this many leading 48 kHz samples. */
  preSkip: number;
  /** Samples per channel, in granuleRate units; undefined when no page carries a usable granule. */
  lastGranule: number | undefined;
}

const isOggS = (b: Uint8Array, o: number) =>
  b[o] === 0x4f && b[o + 1] === 0x67 && b[o + 2] === 0x67 && b[o + 3] === 0x53;

const ascii = (b: Uint8Array, o: number, n: number) => String.fromCharCode(...b.subarray(o, o + n));

/** Returns undefined when the first page is not a readable Opus or Vorbis identification header. */
export function parseOgg(b: Uint8Array): OggInfo | undefined {
  const first = pageAt(b, 0);
  if (!first) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const p = first.bodyOffset;
  let info: Omit<OggInfo, 'lastGranule'>;
  if (first.bodySize >= 19 && ascii(b, p, 8) === 'OpusHead') {
    info = { codec: 'opus', channels: b[p + 9]!, granuleRate: 48000, preSkip: dv.getUint16(p + 10, true) };
  } else if (first.bodySize >= 30 && b[p] === 1 && ascii(b, p + 1, 6) === 'vorbis') {
    info = { codec: 'vorbis', channels: b[p + 11]!, granuleRate: dv.getUint32(p + 12, true), preSkip: 0 };
  } else {
    return undefined;
  }
  return { ...info, lastGranule: lastGranule(b, first.serial) };
}

interface Page {
  serial: number;
  granule: number | undefined; // undefined for -1 ("no packet ends on this page")
  bodyOffset: number;
  bodySize: number;
  end: number;
}

function pageAt(b: Uint8Array, o: number): Page | undefined {
  if (o + 27 > b.length || !isOggS(b, o)) return undefined;
  const nseg = b[o + 26]!;
  if (o + 27 + nseg > b.length) return undefined;
  let bodySize = 0;
  for (let i = 0; i < nseg; i++) bodySize += b[o + 27 + i]!;
  const bodyOffset = o + 27 + nseg;
  if (bodyOffset + bodySize > b.length) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const lo = dv.getUint32(o + 6, true);
  const hi = dv.getUint32(o + 10, true);
  // 2^53 is far beyond any real stream; larger (or -1) granules are treated as unknown.
  const granule = hi === 0xffffffff && lo === 0xffffffff ? undefined : hi < 0x200000 ? hi * 2 ** 32 + lo : undefined;
  return { serial: dv.getUint32(o + 14, true), granule, bodyOffset, bodySize, end: bodyOffset + bodySize };
}

/**
 * Walks pages from the start (each step moves >= 27 bytes), keeping the last granule of the first
 * logical stream. Stops at the first damaged page: the decoder will stop there too.
 */
function lastGranule(b: Uint8Array, serial: number): number | undefined {
  let last: number | undefined;
  for (let o = 0; ; ) {
    const page = pageAt(b, o);
    if (!page) return last;
    if (page.serial === serial && page.granule !== undefined) last = page.granule;
    o = page.end;
  }
}

/**
 * Bytes up to the end of the last complete page. A cut-off final page must not reach the decoder:
 * its lacing table still announces every packet, and ogg-opus-decoder turns the missing ones into
 * seconds of packet-loss concealment (a truncated file came out longer than the whole one).
 */
export function completePagesEnd(b: Uint8Array): number {
  let end = 0;
  for (let page = pageAt(b, 0); page; page = pageAt(b, page.end)) end = page.end;
  return end;
}

/** Seconds the stream declares, or undefined when unknown. */
export function oggDeclaredSeconds(info: OggInfo): number | undefined {
  if (info.lastGranule === undefined || info.granuleRate <= 0) return undefined;
  return Math.max(0, info.lastGranule - info.preSkip) / info.granuleRate;
}
