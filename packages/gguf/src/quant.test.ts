import { describe, expect, it } from "vitest";
import { encodeQ8_0, fromFloat16Bits, tensorByteSize, toFloat16Bits, GgmlType } from "./quant.ts";

describe("toFloat16Bits", () => {
  it("encodes exact values, limits and special values like IEEE binary16", () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(0.5)).toBe(0x3800);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(1e6)).toBe(0x7c00);
    expect(toFloat16Bits(-Infinity)).toBe(0xfc00);
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(toFloat16Bits(2 ** -26)).toBe(0x0000);
    expect(toFloat16Bits(-0)).toBe(0x8000);
    expect(toFloat16Bits(NaN) & 0x7e00).toBe(0x7e00);
  });

  it("rounds to nearest, ties to even", () => {
    // 1 + 2^-11 lies halfway between 1 and the next half (1 + 2^-10); the tie goes to even (1).
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    // 1 + 3 * 2^-11 lies halfway between odd 0x3c01 and even 0x3c02.
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(toFloat16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
  });

  it("round-trips every finite half value through fromFloat16Bits", () => {
    const mismatches: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) === 0x7c00) continue;
      if (toFloat16Bits(fromFloat16Bits(bits)) !== bits) mismatches.push(bits);
    }
    expect(mismatches).toEqual([]);
  });
});

describe("encodeQ8_0", () => {
  it("writes an f16 scale of max|x|/127 followed by 32 rounded int8 quants per block", () => {
    const values = new Float32Array(64);
    for (let i = 0; i < 64; i++) values[i] = (i - 20) / 10;
    const bytes = encodeQ8_0(values);
    expect(bytes.length).toBe(68);
    const view = new DataView(bytes.buffer);
    const scale = fromFloat16Bits(view.getUint16(0, true));
    expect(scale).toBeCloseTo(2 / 127, 4);
    // The largest magnitude maps to ±127, and dequantized values stay within half a step.
    expect(view.getInt8(2)).toBe(-127);
    for (let i = 0; i < 32; i++) {
      expect(Math.abs(view.getInt8(2 + i) * scale - (values[i] ?? 0))).toBeLessThan(scale);
    }
    const secondScale = fromFloat16Bits(view.getUint16(34, true));
    expect(secondScale).toBeCloseTo(4.3 / 127, 4);
    expect(view.getInt8(34 + 2 + 31)).toBe(127);
  });

  it("encodes an all-zero block with a zero scale instead of dividing by zero", () => {
    const bytes = encodeQ8_0(new Float32Array(32));
    expect(Array.from(bytes)).toEqual(new Array(34).fill(0));
  });

  it("rejects a length that does not fill whole blocks", () => {
    expect(() => encodeQ8_0(new Float32Array(40))).toThrow(/multiple of 32/);
    expect(() => tensorByteSize(GgmlType.Q8_0, 40)).toThrow(/whole blocks/);
  });
});
