import { rateLimitedMessage } from "@dogi/contracts";
import { AppError } from "@dogi/trpc";

/** RATE_LIMITED with the seconds to wait, in the message and as Retry-After. */
export function rateLimited(
  retryAfterSeconds: number,
  reason: Parameters<typeof rateLimitedMessage>[1],
): AppError {
  return new AppError("RATE_LIMITED", rateLimitedMessage(retryAfterSeconds, reason), {
    retryAfterSeconds,
  });
}
