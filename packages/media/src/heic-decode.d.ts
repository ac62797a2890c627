// heic-decode ships no types; this is the part of its API we call (see its README).
declare module 'heic-decode' {
  interface Decoded {
    width: number;
    height: number;
    data: Uint8ClampedArray;
  }
  interface Lazy {
    width: number;
    height: number;
    decode(): Promise<Decoded>;
  }
  interface Decode {
    (opts: { buffer: Uint8Array }): Promise<Decoded>;
    all(opts: { buffer: Uint8Array }): Promise<Lazy[] & { dispose(): void }>;
  }
  const decode: Decode;
  export default decode;
}
