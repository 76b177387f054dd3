import { freePort } from "@dogi/servers";

/** Distinct free ports for the five services and Chroma, as `dogi start` reads them. */
export async function freeLauncherPorts(): Promise<Record<string, string>> {
  const taken = new Set<number>();
  const next = async (): Promise<string> => {
    for (;;) {
      const port = await freePort();
      if (!taken.has(port)) {
        taken.add(port);
        return String(port);
      }
    }
  };
  return {
    AUTH_PORT: await next(),
    SESSION_PORT: await next(),
    RAG_PORT: await next(),
    INFERENCE_PORT: await next(),
    GATEWAY_PORT: await next(),
    CHROMA_PORT: await next(),
  };
}
