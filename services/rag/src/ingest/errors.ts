import type { TAppErrorCode } from "@dogi/contracts";

/** Input the ingest pipeline refuses, with the code it maps to and a message saying what to fix. */
export class IngestError extends Error {
  readonly code: TAppErrorCode;

  constructor(code: TAppErrorCode, message: string) {
    super(message);
    this.name = "IngestError";
    this.code = code;
  }
}
