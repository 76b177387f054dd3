import type { z } from "zod";
import { AppError } from "./app-error.ts";

/** Encodes a sort position as an opaque cursor (base64url of JSON). */
export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position), "utf8").toString("base64url");
}

/** Decodes a cursor made by {@link encodeCursor}; a cursor that does not fit gives BAD_REQUEST. */
export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    value = undefined;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new AppError(
      "BAD_REQUEST",
      "The cursor is not valid: pass the nextCursor of the previous page unchanged.",
    );
  }
  return parsed.data;
}
