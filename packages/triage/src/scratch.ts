/**
 * Typed arrays reused from one call to the next. Triage runs synchronously, one question at a
 * time, and no buffer outlives the call that took it, so reuse is safe; it spares the garbage
 * collector a few hundred kilobytes a question (its pauses were most of triage's p99).
 */
const int32 = new Map<string, Int32Array>();
const uint8 = new Map<string, Uint8Array>();
const uint16 = new Map<string, Uint16Array>();

function take<A extends Int32Array | Uint8Array | Uint16Array>(
  pool: Map<string, A>,
  slot: string,
  length: number,
  make: (length: number) => A,
): A {
  let buffer = pool.get(slot);
  if (!buffer || buffer.length < length) {
    buffer = make(Math.max(length, 1024));
    pool.set(slot, buffer);
  }
  return buffer.subarray(0, length) as A;
}

/** An Int32Array of `length` filled with `value`, valid until the slot is taken again. */
export function scratchInt32(slot: string, length: number, value: number): Int32Array {
  return take(int32, slot, length, (n) => new Int32Array(n)).fill(value);
}

/** A zeroed Uint8Array of `length`, valid until the slot is taken again. */
export function scratchUint8(slot: string, length: number): Uint8Array {
  return take(uint8, slot, length, (n) => new Uint8Array(n)).fill(0);
}

/** A Uint16Array of at least `length` (not cleared), valid until the slot is taken again. */
export function scratchUint16(slot: string, length: number): Uint16Array {
  return take(uint16, slot, length, (n) => new Uint16Array(n));
}
