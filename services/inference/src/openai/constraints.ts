import type { ChatModelFunctions, GbnfJsonSchema, Llama, LlamaGrammar } from "node-llama-cpp";
import type { TChatTool } from "@dogi/contracts";
import { InvalidParamError } from "../engine/errors.ts";
import type { TChatBody } from "./parse.ts";

/** How a chat answer is constrained: free text, a grammar, or tools. */
export interface ChatConstraints {
  grammar?: LlamaGrammar;
  functions?: ChatModelFunctions;
  forcedToolCall?: boolean;
}

// Compiling a grammar costs more than a short answer; callers repeat the same few schemas.
// Grammars belong to one llama.cpp binding, so each binding has its own cache.
const grammarCaches = new WeakMap<Llama, Map<string, Promise<LlamaGrammar>>>();
const GRAMMAR_CACHE_MAX = 64;

async function cachedGrammar(
  llama: Llama,
  key: string,
  build: () => Promise<LlamaGrammar>,
  param: string,
): Promise<LlamaGrammar> {
  let grammarCache = grammarCaches.get(llama);
  if (!grammarCache) {
    grammarCache = new Map();
    grammarCaches.set(llama, grammarCache);
  }
  let grammar = grammarCache.get(key);
  if (!grammar) {
    if (grammarCache.size >= GRAMMAR_CACHE_MAX) {
      const oldest = grammarCache.keys().next().value;
      if (oldest !== undefined) grammarCache.delete(oldest);
    }
    grammar = build();
    grammarCache.set(key, grammar);
  }
  try {
    return await grammar;
  } catch (error) {
    grammarCache.delete(key);
    const why = error instanceof Error ? error.message : String(error);
    throw new InvalidParamError(`${param}: this JSON schema cannot be enforced (${why})`, param);
  }
}

const ANY_OBJECT = { type: "object", additionalProperties: true } as const;

const JSON_SCHEMA_TYPES = new Set([
  "string",
  "number",
  "integer",
  "boolean",
  "null",
  "object",
  "array",
]);
// Keywords whose value is one subschema, and those whose value lists or maps subschemas.
const SUBSCHEMA = ["items", "additionalProperties", "not", "contains"];
const SUBSCHEMA_COLLECTIONS = [
  "oneOf",
  "anyOf",
  "allOf",
  "prefixItems",
  "properties",
  "$defs",
  "definitions",
];

/**
 * The first `type` in a JSON schema that JSON Schema does not define, with where it is, e.g.
 * `"interger" at properties.age`: node-llama-cpp's grammar builder takes an unknown type
 * without complaint and then allows only `null` there.
 */
export function unknownSchemaType(schema: unknown, at = ""): string | undefined {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return undefined;
  const node = schema as Record<string, unknown>;
  const types = Array.isArray(node.type) ? node.type : node.type === undefined ? [] : [node.type];
  const unknown = types.find((type) => typeof type !== "string" || !JSON_SCHEMA_TYPES.has(type));
  if (unknown !== undefined) return `${JSON.stringify(unknown)} at ${at || "the top level"}`;
  const path = (key: string) => (at ? `${at}.${key}` : key);
  const children: Array<[where: string, child: unknown]> = SUBSCHEMA.map((key) => [
    path(key),
    node[key],
  ]);
  for (const key of SUBSCHEMA_COLLECTIONS) {
    const collection = node[key];
    if (typeof collection !== "object" || collection === null) continue;
    // A list's entries are keyed "0", "1", …: the same paths as a map's.
    for (const [name, child] of Object.entries(collection))
      children.push([path(`${key}.${name}`), child]);
  }
  for (const [where, child] of children) {
    const found = unknownSchemaType(child, where);
    if (found) return found;
  }
  return undefined;
}

function checkSchemaTypes(schema: unknown, param: string): void {
  const unknown = unknownSchemaType(schema);
  if (unknown) throw new InvalidParamError(`${param}: unknown JSON schema type ${unknown}.`, param);
}

function parametersOf(tool: TChatTool): GbnfJsonSchema {
  return (tool.function.parameters ?? ANY_OBJECT) as GbnfJsonSchema;
}

/** The JSON a forced tool call must produce: `{ name, arguments }` of one of the tools. */
function forcedCallSchema(tools: readonly TChatTool[]): GbnfJsonSchema {
  const alternatives = tools.map((tool) => ({
    type: "object" as const,
    properties: {
      name: { const: tool.function.name },
      arguments: parametersOf(tool),
    },
  }));
  const [only] = alternatives;
  return (alternatives.length === 1 && only ? only : { oneOf: alternatives }) as GbnfJsonSchema;
}

/** Turns response_format, tools and tool_choice into grammars or function definitions. */
export async function constraintsFor(llama: Llama, body: TChatBody): Promise<ChatConstraints> {
  const tools = body.tools ?? [];
  const choice = body.tool_choice ?? (tools.length > 0 ? "auto" : "none");
  const format = body.response_format;
  const wantsJson = format && format.type !== "text";
  if (choice !== "none" && tools.length === 0) {
    throw new InvalidParamError("tool_choice needs a non-empty tools list.", "tool_choice");
  }
  if (choice !== "none" && wantsJson) {
    throw new InvalidParamError(
      "response_format json_object/json_schema cannot be combined with tools; use one.",
      "response_format",
    );
  }
  if (body.ignore_eos && (choice !== "none" || wantsJson)) {
    // A finished grammar allows only the end token; masking it would leave nothing to sample.
    throw new InvalidParamError(
      "ignore_eos cannot be combined with tools or response_format json_object/json_schema.",
      "ignore_eos",
    );
  }
  for (const [index, tool] of tools.entries()) {
    checkSchemaTypes(tool.function.parameters, `tools.${index}.function.parameters`);
  }
  if (choice === "auto") {
    const functions: Record<string, { description?: string; params?: GbnfJsonSchema }> = {};
    for (const tool of tools) {
      functions[tool.function.name] = {
        ...(tool.function.description ? { description: tool.function.description } : {}),
        params: parametersOf(tool),
      };
    }
    return { functions };
  }
  if (choice === "required" || typeof choice === "object") {
    const forced =
      typeof choice === "object"
        ? tools.filter((tool) => tool.function.name === choice.function.name)
        : tools;
    if (forced.length === 0 && typeof choice === "object") {
      throw new InvalidParamError(
        `tool_choice names "${choice.function.name}", which is not among the tools.`,
        "tool_choice",
      );
    }
    const schema = forcedCallSchema(forced);
    const grammar = await cachedGrammar(
      llama,
      `tool:${JSON.stringify(schema)}`,
      () => llama.createGrammarForJsonSchema(schema as never),
      "tools",
    );
    return { grammar, forcedToolCall: true };
  }
  if (format?.type === "json_object") {
    return {
      grammar: await cachedGrammar(
        llama,
        "json",
        () => llama.getGrammarFor("json"),
        "response_format",
      ),
    };
  }
  if (format?.type === "json_schema") {
    const schema = (format.json_schema.schema ?? ANY_OBJECT) as GbnfJsonSchema;
    checkSchemaTypes(schema, "response_format.json_schema.schema");
    const grammar = await cachedGrammar(
      llama,
      `schema:${JSON.stringify(schema)}`,
      () => llama.createGrammarForJsonSchema(schema as never),
      "response_format.json_schema.schema",
    );
    return { grammar };
  }
  return {};
}
