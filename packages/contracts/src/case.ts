import { z } from "zod";

// The public REST API speaks snake_case; the services and /trpc speak camelCase. The REST shapes
// are derived from the camelCase contracts by these mappings, in types and in schemas, so that
// one schema is the source of both and the compiler checks every route's answer.

/** "createdAt" → "created_at", as a type. */
export type SnakeKey<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${SnakeKey<Tail>}`
  : S;

/** "created_at" → "createdAt", as a type. */
export type CamelKey<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelKey<Tail>>}`
  : S;

/** A value with every object key, at every depth, in snake_case (what toSnake returns). */
export type Snake<T> = T extends readonly (infer Item)[]
  ? Snake<Item>[]
  : T extends Date | string | number | boolean | null | undefined
    ? T
    : T extends object
      ? { [K in keyof T as K extends string ? SnakeKey<K> : K]: Snake<T[K]> }
      : T;

/** An object with its top-level keys in camelCase (what toCamel returns). */
export type CamelKeys<T> = { [K in keyof T as K extends string ? CamelKey<K> : K]: T[K] };

// Only camelCase names are renamed: keys that are data (an error code such as "NOT_FOUND" in a
// count by kind, a language, a model id) stay as they are.
const CAMEL_NAME = /^[a-z][a-zA-Z0-9]*$/;
const snakeKeyOf = (key: string) =>
  CAMEL_NAME.test(key) ? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : key;
const camelKeyOf = (key: string) => key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/** Deeply renames object keys from camelCase to snake_case, for the public REST API's JSON. */
export function toSnake<T>(value: T): Snake<T> {
  if (Array.isArray(value)) return value.map((item: unknown) => toSnake(item)) as Snake<T>;
  if (value === null || typeof value !== "object" || value instanceof Date)
    return value as Snake<T>;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [snakeKeyOf(key), toSnake(inner as unknown)]),
  ) as Snake<T>;
}

/** Renames the top-level keys of a validated snake_case request body to camelCase. */
export function toCamel<T extends Record<string, unknown>>(value: T): CamelKeys<T> {
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [camelKeyOf(key), inner]),
  ) as CamelKeys<T>;
}

/**
 * The snake_case REST schema of a camelCase object schema: the same fields and rules, each key
 * renamed (nested objects keep their own schema; derive those with this too where they nest).
 */
export function snakeObject<Shape extends z.ZodRawShape>(
  schema: z.ZodObject<Shape>,
): z.ZodObject<SnakeShape<Shape>> {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([key, field]) => [snakeKeyOf(key), field]),
  );
  return z.object(shape) as unknown as z.ZodObject<SnakeShape<Shape>>;
}

/** A zod object shape with its keys in snake_case. */
export type SnakeShape<Shape extends z.ZodRawShape> = {
  [K in keyof Shape as K extends string ? SnakeKey<K> : K]: Shape[K];
};

/**
 * The snake_case REST schema of any camelCase schema, at every depth (objects, arrays, nullable
 * and optional fields); leaves (strings, enums, records…) are kept as they are.
 */
export function snakeSchema<T extends z.ZodType>(
  schema: T,
): z.ZodType<Snake<z.output<T>>, Snake<z.input<T>>> {
  return snakeOf(schema) as unknown as z.ZodType<Snake<z.output<T>>, Snake<z.input<T>>>;
}

function snakeOf(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodObject)
    return z.object(
      Object.fromEntries(
        Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, field]) => [
          snakeKeyOf(key),
          snakeOf(field),
        ]),
      ),
    );
  if (schema instanceof z.ZodArray) return z.array(snakeOf(schema.element as z.ZodType));
  if (schema instanceof z.ZodNullable) return snakeOf(schema.unwrap() as z.ZodType).nullable();
  if (schema instanceof z.ZodOptional) return snakeOf(schema.unwrap() as z.ZodType).optional();
  return schema;
}
