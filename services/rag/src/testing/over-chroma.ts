import { startChroma, testCredential } from "@dogi/testing";
import { createServiceClient } from "@dogi/trpc";
import type { ServiceName } from "@dogi/trpc";
import { TRPCClientError } from "@trpc/client";
import type { RagRouter } from "../router.ts";
import { ingestCorpusDocs } from "./kb-fixture.ts";
import type { RagTestService } from "./start-rag.ts";
import { startRagService } from "./start-rag.ts";

/** A rag service over its own Chroma server; `stop` stops both. */
export interface RagOverChroma {
  rag: RagTestService;
  stop(): Promise<void>;
}

/** Starts Chroma and a rag service over it, with the corpus documents `docs` ingested. */
export async function startRagOverChroma(docs: readonly string[] = []): Promise<RagOverChroma> {
  const chroma = await startChroma();
  const rag = await startRagService({ chromaUrl: chroma.url });
  await ingestCorpusDocs(rag.kb, docs);
  return {
    rag,
    async stop() {
      await rag.stop();
      await chroma.stop();
    },
  };
}

/** A client of `rag` signed as `caller`. */
export function ragClientAs(rag: RagTestService, caller: ServiceName, timeoutMs = 10_000) {
  return createServiceClient<RagRouter>({
    url: rag.url,
    timeoutMs,
    credential: testCredential("rag", caller),
  });
}

/** The app code (or tRPC code) a call failed with; undefined for anything else. */
export function errorCode(error: unknown): string | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const data = error.data as { appCode?: string; code?: string } | undefined;
  return data?.appCode ?? data?.code;
}
