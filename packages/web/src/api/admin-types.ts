import type {
  TAdminModels,
  TAdminUser,
  TApiKey,
  TAuditAction,
  TAuditEntry,
  TFeedbackItem,
  TIngestJob,
  TModelPull,
  TRagDocumentSummary,
  TRagStats,
  TRole,
  TTurnFeedback,
  TUsageReport,
  Snake,
  ENGINE_EXTENSIONS_SCOPE,
} from "@dogi/contracts";

// The admin routes answer the contracts' shapes with snake_case keys: these types derive them
// from the contracts (Snake), so a field renamed there breaks the page's build, not the page.

/** A page of a list route. */
export interface RestPage<T> {
  items: T[];
  next_cursor: string | null;
}

export type Role = TRole;
export type AuditAction = TAuditAction;
export type AdminUser = Snake<TAdminUser>;
/** A user's API key as the admin area lists it (never its secret). */
export type AdminApiKey = Snake<TApiKey>;
/** The scope only an admin grants (contracts' ENGINE_EXTENSIONS_SCOPE; the page bundles no zod). */
export const ENGINE_EXTENSIONS = "engine_extensions" satisfies typeof ENGINE_EXTENSIONS_SCOPE;
export type AuditEntry = Snake<TAuditEntry>;
export type IngestJob = Snake<TIngestJob>;
export type AdminModels = Snake<TAdminModels>;
export type ModelPull = Snake<TModelPull>;
export type UsageReport = Snake<TUsageReport>;
export type FeedbackItem = Snake<TFeedbackItem>;
export type TurnFeedback = Snake<TTurnFeedback>;
export type FeedbackRating = TTurnFeedback["rating"];

/** A stored document of the knowledge base, as the documents route lists it. */
export type KbDocument = Snake<TRagDocumentSummary>;
/** GET /v1/admin/kb/stats. */
export type KbStats = Snake<TRagStats>;

/** One passage the admin search finds (the fields the page shows; the route may send more). */
export interface KbSearchHit {
  text: string;
  score: number;
  citation?: { title?: string; section?: string; source?: string; document_id?: string };
  title?: string;
  section?: string;
}
