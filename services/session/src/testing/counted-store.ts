import type { SessionStore } from "../store/interface.ts";

/** `store`, recording the `limit` of every listTurns call (how many turns each read asked for). */
export function countedStore(store: SessionStore): { store: SessionStore; reads: number[] } {
  const reads: number[] = [];
  const counted = new Proxy(store, {
    get(target, property) {
      if (property === "listTurns") {
        return (query: Parameters<SessionStore["listTurns"]>[0]) => {
          reads.push(query.limit);
          return target.listTurns(query);
        };
      }
      const value = Reflect.get(target, property) as unknown;
      return typeof value === "function" ? (value as () => unknown).bind(target) : value;
    },
  });
  return { store: counted, reads };
}
