import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "./app-error.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";

const ZPosition = z.object({ createdAt: z.string(), id: z.string() });

describe("page cursors", () => {
  it("gives back the position it was made from", () => {
    const position = { createdAt: "2026-03-01T00:00:00.000Z", id: "세션-1" };
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, ZPosition)).toEqual(position);
  });

  it("refuses a cursor that is not base64url JSON, or not of the expected shape, with BAD_REQUEST", () => {
    for (const cursor of ["%%%", encodeCursor({ createdAt: 1 }), "bm90IGpzb24"]) {
      let caught: unknown;
      try {
        decodeCursor(cursor, ZPosition);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(AppError);
      expect((caught as AppError).appCode).toBe("BAD_REQUEST");
    }
  });
});
