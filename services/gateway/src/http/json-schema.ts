import { z } from "zod";

export type JsonSchema = Record<string, unknown>;

/**
 * A zod schema as plain JSON Schema, without the `$schema` dialect line (OpenAPI documents and
 * response_format schemas carry the schema object alone).
 */
export function jsonSchemaOf(schema: z.ZodType, io: "input" | "output" = "output"): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: "any",
  }) as JsonSchema;
  return rest;
}
