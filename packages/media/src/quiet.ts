/**
 * The WASM decoders print one console.error line per damaged frame or packet ("libopus -4 ...",
 * "mpg123-decoder: ..."): a hostile upload can emit thousands. The same errors come back in their
 * results, so the lines add nothing. While any decode runs, console.error drops lines with those
 * prefixes and passes everything else through unchanged, so no other code's log line is lost even
 * when its output interleaves with a decode (the Ogg decoders are async).
 */
const DECODER_NOISE = /^(libopus -?\d|mpg123-decoder: |@wasm-audio-decoders\/)/;

let active = 0;
let saved: typeof console.error | undefined;

export async function withQuietDecoders<T>(fn: () => Promise<T>): Promise<T> {
  if (active++ === 0) {
    const original = console.error;
    saved = original;
    console.error = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && DECODER_NOISE.test(args[0])) return;
      original.apply(console, args);
    };
  }
  try {
    return await fn();
  } finally {
    if (--active === 0 && saved) {
      console.error = saved;
      saved = undefined;
    }
  }
}
