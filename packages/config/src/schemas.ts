import { availableParallelism } from "node:os";
import { z } from "zod";
import { bounded, databaseUrl, flag, httpUrl, millis, port, timeZone } from "./fields.ts";

/** Defaults of every port, shared by the services, the launcher and .env.example. */
export const defaultPorts = {
  auth: 4001,
  session: 4002,
  rag: 4003,
  inference: 4004,
  gateway: 8080,
  chroma: 8000,
} as const;

/** A count from 0 (0 turns the limit off). */
const limit = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

/**
 * How every service's HTTP server bounds its clients (applied by @dogi/trpc's serve()). None
 * of them bounds a response being written: chat answers and OpenAI streams last minutes.
 */
export const ZHttpServerEnv = z.object({
  /** Until a request's headers are in (slowloris); at most HTTP_REQUEST_TIMEOUT_MS. */
  HTTP_HEADERS_TIMEOUT_MS: millis(10_000),
  /** Until a whole request (headers and body) is in; the answer is not counted. */
  HTTP_REQUEST_TIMEOUT_MS: millis(60_000),
  /** An idle kept-alive connection between requests is closed after this long. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: millis(5_000),
  /**
   * A connection on which no byte moves for this long while the client owes one (part of its
   * request, or reading what was written) is closed; a server still working on an answer is not.
   */
  HTTP_IDLE_TIMEOUT_MS: millis(60_000),
  /** Request headers read per request; the rest are ignored. */
  HTTP_MAX_HEADERS: z.coerce.number().int().min(1).max(2_000).default(100),
  /** Requests served on one connection before it is closed (0: no limit). */
  HTTP_MAX_REQUESTS_PER_SOCKET: limit(0),
  /** Connections open at once; more are closed on arrival (0: no limit). */
  HTTP_MAX_CONNECTIONS: limit(10_000),
});
export type THttpServerEnv = z.infer<typeof ZHttpServerEnv>;

/** Variables every Dogi process reads. */
export const ZCommonEnv = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOG_DIR: z.string().min(1).default("logs"),
  LOG_TO_FILE: flag(true),
  DATA_DIR: z.string().min(1).default("data"),
  /** Stack traces in error responses; never on by accident, so only an explicit "true" enables it. */
  DOGI_DEV_ERRORS: flag(false),
  SERVICE_HOST: z.string().min(1).default("127.0.0.1"),
  SHUTDOWN_TIMEOUT_MS: millis(10_000),
  /**
   * Local time of log timestamps and of the day each log file holds (Node reads it itself);
   * unset: the host's. The original Dogi ran with Asia/Seoul.
   */
  TZ: timeZone().optional(),
  ...ZHttpServerEnv.shape,
});
export type TCommonEnv = z.infer<typeof ZCommonEnv>;

/** Where the internal services listen, for those that call them. */
export const ZServiceUrlsEnv = z.object({
  AUTH_URL: httpUrl().default(`http://127.0.0.1:${defaultPorts.auth}`),
  SESSION_URL: httpUrl().default(`http://127.0.0.1:${defaultPorts.session}`),
  RAG_URL: httpUrl().default(`http://127.0.0.1:${defaultPorts.rag}`),
  INFERENCE_URL: httpUrl().default(`http://127.0.0.1:${defaultPorts.inference}`),
  INTERNAL_CALL_TIMEOUT_MS: millis(10_000),
});

/**
 * A signing secret: at least 32 bytes that look random (not a word repeated, not the example).
 * `pnpm start` makes one in DATA_DIR/secrets/<file> when it is unset.
 */
const randomSecret = (name: string, file: string) =>
  z
    .string({
      error: `at least 32 random bytes, e.g. ${name}=$(openssl rand -base64 48); \`pnpm start\` makes one in DATA_DIR/secrets/${file}`,
    })
    .refine((value) => Buffer.byteLength(value, "utf8") >= 32, {
      message: "must be at least 32 bytes; generate one with: openssl rand -base64 48",
    })
    .refine((value) => new Set(value).size >= 12 && !/change.?me|secret|example/i.test(value), {
      message: "does not look random; generate one with: openssl rand -base64 48",
    });

/** Service credentials: every internal call is signed with it (see @dogi/trpc's service-credential). */
export const ZInternalCallerEnv = z.object({
  /** Signs the short-lived credentials of calls between Dogi's services; never JWT_SECRET's value. */
  INTERNAL_SECRET: randomSecret("INTERNAL_SECRET", "internal-secret"),
});

/** What an internal service (auth, session, rag, inference) reads to check who calls it. */
export const ZInternalServiceEnv = ZInternalCallerEnv.extend({
  /**
   * Host names this service answers to besides IP addresses, localhost and its Compose name
   * (comma-separated, e.g. a Kubernetes service name); a request naming another host is refused.
   */
  INTERNAL_HOSTNAMES: z
    .string()
    .default("")
    .transform((value) =>
      value
        .split(",")
        .map((name) => name.trim())
        .filter((name) => name !== ""),
    ),
});

export const ZAuthEnv = ZCommonEnv.extend(ZInternalServiceEnv.shape)
  .extend({
    AUTH_PORT: port(defaultPorts.auth),
    AUTH_DATABASE_URL: databaseUrl("file:data/auth.db", "mysql"),
    /** Signs access tokens; required (`pnpm start` makes one and keeps it in DATA_DIR/secrets). */
    JWT_SECRET: randomSecret("JWT_SECRET", "jwt-secret"),
    /** How long an access token is good for; a revoked one is refused at once whatever this says. */
    ACCESS_TOKEN_TTL_MINUTES: bounded(5, 60, 30, "minutes"),
    /** How long a sign-in lasts, however often it is refreshed (counted from the sign-in). */
    REFRESH_TOKEN_TTL_DAYS: bounded(1, 30, 7, "days"),
    /**
     * Password hashes computed at once (argon2id, 19 MiB each); more wait, then get a 503.
     * Default: one per CPU core (at most 8): more only contend with the event loop for the cores.
     */
    AUTH_HASH_CONCURRENCY: z.coerce
      .number()
      .int()
      .min(1)
      .max(64)
      .default(Math.min(8, availableParallelism())),
    AUTH_HASH_QUEUE_WAIT_MS: millis(1_000),
    /** Verified access tokens remembered, so repeat verifications skip the signature check. */
    AUTH_VERIFY_CACHE_SIZE: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
    /** How stale a user's token version may be; with several replicas, revocations reach the others within this. */
    AUTH_TOKEN_VERSION_CACHE_MS: z.coerce.number().int().min(0).default(5_000),
    /**
     * Of those, how many sign-ups may hold at once, so sign-ups never starve sign-ins.
     * Default: half of AUTH_HASH_CONCURRENCY (at least 1).
     */
    AUTH_SIGNUP_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
    /** Wrong passwords before delays start, per account and client (and per account from unknown clients). */
    AUTH_LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
    /** Wrong passwords one client may send over all accounts in a window. */
    AUTH_LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).default(20),
    /** The longest delay, the per-client window, and how long failures are remembered. */
    AUTH_LOGIN_FAILURE_WINDOW_MS: millis(15 * 60_000),
    /** The first delay once the free failures are used; it doubles with each further failure. */
    AUTH_LOGIN_BASE_DELAY_MS: millis(30_000),
    /** How long a client that signed in to an account stays exempt from other clients' failures. */
    AUTH_LOGIN_KNOWN_CLIENT_MS: millis(30 * 24 * 60 * 60_000),
    /** New accounts per client (IPv4 address or IPv6 /64) in each AUTH_SIGNUP_WINDOW_MS. */
    AUTH_SIGNUP_MAX_PER_CLIENT: z.coerce.number().int().min(1).default(5),
    AUTH_SIGNUP_WINDOW_MS: millis(60 * 60_000),
  })
  .refine((env) => env.INTERNAL_SECRET !== env.JWT_SECRET, {
    path: ["INTERNAL_SECRET"],
    message:
      "must differ from JWT_SECRET: whoever can sign users' tokens must not also pass as a service",
  });
export type TAuthEnv = z.infer<typeof ZAuthEnv>;

export const ZSessionEnv = ZCommonEnv.extend(ZInternalServiceEnv.shape).extend({
  SESSION_PORT: port(defaultPorts.session),
  SESSION_DATABASE_URL: databaseUrl("file:data/session.db", "mongodb"),
  /** A dead database fails a call after this long (MongoDB server selection, SQLite busy wait). */
  SESSION_DB_TIMEOUT_MS: millis(2_000),
  /** Sessions one user may keep; creating one more is refused with LIMIT_REACHED (409). */
  SESSION_MAX_SESSIONS_PER_USER: z.coerce.number().int().min(1).default(1_000),
  /** Turns one session may hold; asking one more is refused with LIMIT_REACHED (409). */
  SESSION_MAX_TURNS_PER_SESSION: z.coerce.number().int().min(1).default(500),
  /**
   * A turn pending this long is taken as abandoned (a gateway that crashed mid-answer): swept
   * to failed, and a retry or regenerate may start a new attempt. Above the longest answer:
   * CHAT_QUEUE_TIMEOUT_MS (60 s) + INFERENCE_REQUEST_TIMEOUT_MS (300 s), with a margin.
   */
  SESSION_STALE_TURN_MS: z.coerce.number().int().min(10_000).default(420_000),
});
export type TSessionEnv = z.infer<typeof ZSessionEnv>;

export const ZRagEnv = ZCommonEnv.extend(ZInternalServiceEnv.shape).extend({
  RAG_PORT: port(defaultPorts.rag),
  CHROMA_URL: httpUrl().default(`http://127.0.0.1:${defaultPorts.chroma}`),
  RAG_COLLECTION: z
    .string()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{1,61}[a-zA-Z0-9]$/, "3-63 letters, digits, '.', '_', '-'")
    .default("vet_medical_data"),
  /** A Chroma call slower than this fails with UPSTREAM_UNAVAILABLE, so callers can go on without passages. */
  RAG_CHROMA_TIMEOUT_MS: millis(2_000),
  /**
   * Least time between two looks at the collection's write version (0: before every search); when
   * another replica wrote, this one rebuilds its BM25 index in the background.
   */
  RAG_INDEX_SYNC_MS: z.coerce.number().int().min(0).max(3_600_000).default(2_000),
  /** Folder of the built-in knowledge base; unset: services/rag/corpus. */
  RAG_CORPUS_DIR: z.string().min(1).optional(),
  /** Ingest the corpus on start when the collection is empty or the corpus changed. */
  RAG_SEED_CORPUS: flag(true),
  /** Drop the collection and rebuild it from the corpus on start (after changing the embedder). */
  RAG_REINDEX: flag(false),
  RAG_CHUNK_SIZE: z.coerce.number().int().min(200).max(8_000).default(800),
  RAG_CHUNK_OVERLAP: z.coerce.number().int().min(0).max(2_000).default(120),
  /** auto: an API when EMBEDDING_API_URL is set, else a GGUF when EMBEDDING_MODEL_PATH is set, else hashed. */
  RAG_EMBEDDER: z.enum(["auto", "hashed", "llama", "openai"]).default("auto"),
  EMBEDDING_MODEL_PATH: z.string().min(1).optional(),
  /** An OpenAI-compatible server; the embedder posts to EMBEDDING_API_URL/v1/embeddings. */
  EMBEDDING_API_URL: httpUrl().optional(),
  EMBEDDING_API_MODEL: z.string().min(1).default("text-embedding-3-small"),
  EMBEDDING_API_KEY: z.string().min(1).optional(),
  EMBEDDING_API_TIMEOUT_MS: millis(30_000),
});
export type TRagEnv = z.infer<typeof ZRagEnv>;

export const ZInferenceEnv = ZCommonEnv.extend(ZInternalServiceEnv.shape).extend({
  INFERENCE_PORT: port(defaultPorts.inference),
  /**
   * OpenAI's /v1 and /metrics answer anyone who reaches the port, with no service credential:
   * only for an inference server run on its own, behind its own access control.
   */
  INFERENCE_PUBLIC: flag(false),
  MODEL_PATH: z.string().min(1).optional(),
  MODELS_DIR: z.string().min(1).default("models"),
  /** "alias=model-id,other=model-id": extra names a model answers to. */
  MODEL_ALIASES: z
    .string()
    .regex(/^(\s*[\w.:/-]+=[\w.:/-]+\s*)(,\s*[\w.:/-]+=[\w.:/-]+\s*)*$/, {
      message: "must be alias=model-id pairs separated by commas",
    })
    .optional(),
  /** Served when a request names "default"; the first model found when unset. */
  DEFAULT_MODEL: z.string().min(1).optional(),
  LLAMA_GPU: z.enum(["auto", "cuda", "vulkan", "metal", "off"]).default("auto"),
  /** CPU threads for decoding; 0 means every math core llama.cpp detects. */
  INFERENCE_THREADS: z.coerce.number().int().min(0).max(1024).default(0),
  /**
   * libuv's worker threads, read by Node at start (the launcher, the start script and the
   * inference image set 1): with one, every llama.cpp decode enters OpenMP from the same thread.
   */
  UV_THREADPOOL_SIZE: z.coerce.number().int().min(1).max(1024).optional(),
  /** Concurrent sequences in the one context (continuous batching). */
  INFERENCE_PARALLEL: z.coerce.number().int().min(1).max(64).default(4),
  /** Context tokens per sequence; 0 uses the model's training context, capped at 4096. */
  INFERENCE_CONTEXT_SIZE: z.coerce.number().int().min(0).max(1_048_576).default(0),
  /** Requests that may wait for a free sequence; beyond this, 503 with Retry-After. */
  INFERENCE_QUEUE_MAX: z.coerce.number().int().min(0).max(10_000).default(32),
  /**
   * Sequences one caller (a user the gateway names) may hold; unset: an even split of
   * INFERENCE_PARALLEL between the callers active in the last minute (at least one, at most
   * half); a number: that many; 0: no cap.
   */
  INFERENCE_SLOTS_PER_CALLER: z.coerce.number().int().min(0).max(64).optional(),
  /**
   * Megabytes of conversations' evaluated prefixes (prompt_cache_key) saved to the temporary
   * folder when another conversation takes their sequence, loaded back when they return; 0: none.
   */
  INFERENCE_PARKED_PREFIX_MB: z.coerce.number().int().min(0).max(1_048_576).default(2048),
  /**
   * Sequences beyond INFERENCE_PARALLEL that hold long generations paused while people's
   * requests run in their place (at most INFERENCE_PARALLEL decode at once); 0: never paused.
   */
  INFERENCE_PAUSED_SEQUENCES: z.coerce.number().int().min(0).max(64).default(1),
  /** A request (queue wait included) is cut off after this long. */
  INFERENCE_REQUEST_TIMEOUT_MS: millis(300_000),
  /** An OpenAI-compatible API used when the local model cannot serve a request. */
  UPSTREAM_BASE_URL: httpUrl().optional(),
  UPSTREAM_API_KEY: z.string().min(1).optional(),
  UPSTREAM_MODEL: z.string().min(1).default("gpt-4o-mini"),
  /** How long the upstream may take to start answering (its status and headers). */
  UPSTREAM_TIMEOUT_MS: millis(120_000),
  /** An upstream answer that sends nothing for this long is cut; a long stream that keeps sending is not. */
  UPSTREAM_IDLE_TIMEOUT_MS: millis(60_000),
  /** For gated Hugging Face models: `dogi pull`, and pulls from the operator console. */
  HUGGING_FACE_TOKEN: z.string().min(1).optional(),
});
export type TInferenceEnv = z.infer<typeof ZInferenceEnv>;

export const ZGatewayEnv = ZCommonEnv.extend(ZServiceUrlsEnv.shape)
  .extend(ZInternalCallerEnv.shape)
  .extend({
    GATEWAY_PORT: port(defaultPorts.gateway),
    /** 0.0.0.0 in containers; loopback by default so a laptop run is not exposed. */
    GATEWAY_HOST: z.string().min(1).default("127.0.0.1"),
    /** OpenAI-compatible engines to spread generation over (comma-separated); unset: INFERENCE_URL. */
    INFERENCE_URLS: z
      .string()
      .refine(
        (value) => value.split(",").every((url) => /^https?:\/\/\S+$/.test(url.trim())),
        "must be http(s) URLs separated by commas",
      )
      .optional(),
    /** How often each inference replica is probed; a failing one is skipped until it answers again. */
    INFERENCE_HEALTH_INTERVAL_MS: millis(5_000),
    /**
     * How long a replica may take to start answering (status and headers). A replica sends them
     * with the first token, or with the whole answer when not streaming: above its own request
     * timeout (INFERENCE_REQUEST_TIMEOUT_MS), so that its 504 comes first.
     */
    GATEWAY_UPSTREAM_HEADERS_TIMEOUT_MS: millis(330_000),
    /** A replica's answer that sends nothing for this long is cut (a stream that keeps sending is not). */
    GATEWAY_UPSTREAM_IDLE_TIMEOUT_MS: millis(60_000),
    /**
     * Connections one client address (an IPv6 /64) may hold open at once; more are closed on
     * arrival. Proxies in TRUSTED_PROXIES are exempt (every client behind them shares their address).
     */
    GATEWAY_MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(1).default(100),
    /** Proxies whose X-Forwarded-For is believed: IPs or CIDRs, comma-separated ("" trusts none). */
    TRUSTED_PROXIES: z.string().default(""),
    /** Browser origins allowed to call the API (comma-separated); none by default. */
    CORS_ORIGINS: z.string().default(""),
    /** Largest JSON body of the REST routes; the OpenAI routes allow GATEWAY_OPENAI_BODY_LIMIT. */
    GATEWAY_BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, "e.g. 1mb or 512kb")
      .default("1mb"),
    GATEWAY_OPENAI_BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, "e.g. 25mb")
      .default("25mb"),
    /** Requests per minute per client address, and per signed-in user or API key. */
    RATE_LIMIT_IP_PER_MINUTE: z.coerce.number().int().min(1).default(600),
    RATE_LIMIT_USER_PER_MINUTE: z.coerce.number().int().min(1).default(300),
    /**
     * A client refused by a rate limit (its address or user) that asks again before the
     * Retry-After it was given gets its next refusal this much later at most (0: at once):
     * a retry loop that ignores Retry-After is spaced out instead of taking CPU from others.
     */
    GATEWAY_REFUSAL_HOLD_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
    /** Chat turns per minute per user, and generated tokens per minute per user. */
    CHAT_TURNS_PER_MINUTE: z.coerce.number().int().min(1).default(20),
    CHAT_TOKENS_PER_MINUTE: z.coerce.number().int().min(1).default(20_000),
    /** Chat turns generating at once; more wait (CHAT_QUEUE_MAX, CHAT_QUEUE_TIMEOUT_MS). */
    GATEWAY_MAX_STREAMS: z.coerce.number().int().min(1).default(64),
    /** Answers one user may have generating at once, chat turns and OpenAI-door calls together. */
    GATEWAY_MAX_STREAMS_PER_USER: z.coerce.number().int().min(1).default(4),
    /** Chat turns that may wait for a place to generate; more get 503 at once. */
    CHAT_QUEUE_MAX: z.coerce.number().int().min(0).default(256),
    /** How long a chat turn waits for a place before it fails with 503 (its question is kept). */
    CHAT_QUEUE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(60_000),
    /** Largest max_tokens the OpenAI-compatible door accepts (also its default when none is sent). */
    OPENAI_MAX_TOKENS: z.coerce.number().int().min(16).max(131_072).default(2_048),
    /** Largest prompt the OpenAI-compatible door accepts, in characters of message and prompt text. */
    OPENAI_MAX_PROMPT_CHARS: z.coerce.number().int().min(1_000).max(10_000_000).default(32_000),
    /**
     * Largest completion of one chat turn, and the most characters of passages and earlier turns
     * the prompt carries (then fitted to the model's context in its own tokens).
     */
    CHAT_MAX_TOKENS: z.coerce.number().int().min(16).max(32_768).default(768),
    CHAT_CONTEXT_CHARS: z.coerce.number().int().min(1_000).max(1_000_000).default(6_000),
    /**
     * Answers run to CHAT_MAX_TOKENS even past the model's end token (inference's ignore_eos):
     * for load tests and for UI tests that must press Stop mid-answer. Never in production.
     */
    CHAT_IGNORE_EOS: flag(false),
    /**
     * The model's second opinion on triage, run beside retrieval when a model is loaded: it may
     * raise the rules' level, never lower it. "off" uses the rules alone.
     */
    TRIAGE_MODEL: z.enum(["auto", "off"]).default("auto"),
    /** How long a turn waits for that opinion, from the turn's start; past it the rules' level stands. */
    TRIAGE_MODEL_BUDGET_MS: z.coerce.number().int().min(0).max(30_000).default(1_500),
    /**
     * Redis shared by the gateway replicas: rate limits and revocations of credentials. Unset:
     * both are kept in memory, per replica (one gateway needs nothing more).
     */
    REDIS_URL: z
      .url({ protocol: /^rediss?$/, error: "must be a redis:// or rediss:// URL" })
      .optional(),
    /** How long a verified credential is reused without asking auth again (0: every request). */
    GATEWAY_AUTH_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
    /**
     * How often the gateway asks auth for deleted accounts whose data another service still holds,
     * and the first wait after a failed attempt (it doubles per failure, up to an hour).
     */
    GATEWAY_DELETION_RETRY_MS: millis(30_000),
    /** Bearer token a scraper sends for /metrics; unset or empty: /metrics answers loopback clients only. */
    METRICS_TOKEN: z
      .union([
        z.literal(""),
        z.string().min(16, "use at least 16 characters, e.g. the output of: openssl rand -hex 24"),
      ])
      .default(""),
  });
export type TGatewayEnv = z.infer<typeof ZGatewayEnv>;

/** Each Dogi service's env schema, by service name, in start order. */
export const serviceEnvSchemas = {
  auth: ZAuthEnv,
  session: ZSessionEnv,
  rag: ZRagEnv,
  inference: ZInferenceEnv,
  gateway: ZGatewayEnv,
} as const;

/** A model `dogi start` may download: default, none, hf:owner/repo/file.gguf or an http(s) URL. */
const modelChoice = () =>
  z.string().regex(/^(default|none|hf:[^/\s]+\/[^/\s]+\/\S+\.gguf|https?:\/\/\S+)$/i, {
    message: "must be default, none, hf:owner/repo/file.gguf or an http(s) URL",
  });

/** Variables only the launcher (`pnpm start`) reads. */
export const ZLauncherEnv = ZCommonEnv.extend({
  GATEWAY_PORT: port(defaultPorts.gateway),
  /** When unset, the launcher starts the Chroma server that the chromadb npm package ships. */
  CHROMA_URL: httpUrl().optional(),
  CHROMA_PORT: port(defaultPorts.chroma),
  STARTUP_TIMEOUT_MS: millis(90_000),
  /**
   * The chat model `dogi start` downloads when there is none (no MODEL_PATH, no MODELS_DIR/*.gguf):
   * unset asks in a terminal; "default" takes the recommended one without asking; "none" never
   * downloads; hf:owner/repo/file.gguf or an http(s) URL downloads that file.
   */
  DOGI_MODEL: modelChoice().optional(),
  /** The same for rag's GGUF embedding model (MODELS_DIR/embedding/), when rag has no other embedder. */
  DOGI_EMBEDDING_MODEL: modelChoice().optional(),
  /**
   * How the launcher shows the services' logs on its console: `pretty` (readable lines), `json`
   * (the lines as the log files keep them), or `auto`: pretty on a terminal, JSON through a pipe.
   */
  DOGI_LOG_FORMAT: z.enum(["auto", "pretty", "json"]).default("auto"),
});
export type TLauncherEnv = z.infer<typeof ZLauncherEnv>;
