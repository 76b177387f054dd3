import { z } from "zod";

/**
 * The output schema of a subscription: an async iterable whose every item is checked against
 * `item` as it is yielded (a subscription's output is the iterable, not one value). Stopping
 * the checked iterable stops the source too (for await passes return() on).
 */
export function zAsyncIterable<T extends z.ZodType>(item: T) {
  return z
    .custom<AsyncIterable<z.input<T>>>(
      (value) =>
        typeof value === "object" &&
        value !== null &&
        Symbol.asyncIterator in (value as AsyncIterable<unknown>),
      "expected an async iterable",
    )
    .transform(async function* (iterable): AsyncGenerator<z.output<T>> {
      for await (const value of iterable) yield item.parse(value);
    });
}
