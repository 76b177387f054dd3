import { randomBytes } from "node:crypto";

/** An OpenAI-style object id such as `chatcmpl-…`. */
export function objectId(prefix: string): string {
  return `${prefix}-${randomBytes(12).toString("base64url")}`;
}

/** Seconds since the epoch, as OpenAI's `created` fields carry it. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
