import type { ReadinessCheck } from "@dogi/trpc";

/** Readiness of the Chroma server: its v2 heartbeat answers within the timeout. */
export function chromaHeartbeatCheck(chromaUrl: string, timeoutMs = 2_000): ReadinessCheck {
  const url = new URL("/api/v2/heartbeat", chromaUrl);
  return async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return response.ok
      ? { name: "chroma", ok: true }
      : { name: "chroma", ok: false, detail: `heartbeat answered HTTP ${response.status}` };
  };
}
