/**
 * An OpenAI `response_format` whose grammar forbids the answer to end before 40 strings of 40
 * characters: the random test model (which often ends its turn at once) then writes until
 * max_tokens or a disconnect, for tests that need a generation held busy.
 */
export const endlessAnswerFormat = {
  type: "json_schema",
  json_schema: {
    name: "long",
    schema: { type: "array", minItems: 40, items: { type: "string", minLength: 40 } },
  },
} as const;
