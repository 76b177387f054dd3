/** The most calls one batched /trpc request may carry; each is charged to the limits on its own. */
export const TRPC_MAX_BATCH = 10;

/**
 * What a request costs against the per-address limit: one, or for a batched /trpc request one
 * per call it carries ("/trpc/a,b,c"), so that batching is no way around the limit. A batch over
 * the cap is refused by tRPC; it is charged one more than the cap.
 */
export function requestCost(path: string): number {
  if (!path.startsWith("/trpc/")) return 1;
  let calls = 1;
  for (
    let i = path.indexOf(",", 6);
    i !== -1 && calls <= TRPC_MAX_BATCH;
    i = path.indexOf(",", i + 1)
  )
    calls += 1;
  return calls;
}
