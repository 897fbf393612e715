/**
 * Work buffers reused from photo to photo (工作缓冲): the face rules are synchronous and keep none of their typed
 * arrays, so each module takes its buffers from its own pool instead of allocating megabytes per photo (and
 * leaving them to the garbage collector). Buffers are not zeroed: callers write every cell they read, or fill.
 */
export type WorkArray = Uint8Array | Uint16Array | Int32Array | Float32Array | Float64Array;

/** A pool of named buffers: `scratch(name, make, n)` answers `n` cells of buffer `name`, grown on demand. */
export function workBuffers(): <T extends WorkArray>(name: string, make: (n: number) => T, n: number) => T {
  const pool = new Map<string, WorkArray>();
  return <T extends WorkArray>(name: string, make: (n: number) => T, n: number): T => {
    let buf = pool.get(name) as T | undefined;
    if (!buf || buf.length < n) pool.set(name, (buf = make(n)));
    return buf.subarray(0, n) as T;
  };
}

export const u8 = (n: number) => new Uint8Array(n),
  u16 = (n: number) => new Uint16Array(n),
  i32 = (n: number) => new Int32Array(n),
  f32 = (n: number) => new Float32Array(n),
  f64 = (n: number) => new Float64Array(n);
