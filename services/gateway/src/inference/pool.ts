import http from "node:http";
import https from "node:https";
import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import type { Logger } from "@dogi/logger";

/** One OpenAI-compatible engine the gateway sends generation to. */
interface Replica {
  url: URL;
  outstanding: number;
  healthy: boolean;
}

/** A replica's answer whose headers arrived; `release` must be called once the body is consumed. */
export interface UpstreamResponse {
  response: IncomingMessage;
  replicaUrl: string;
}

/** One request to a replica: what `InferencePool.request` takes. */
export interface PoolRequest {
  method: string;
  path: string;
  headers: OutgoingHttpHeaders;
  body?: Buffer;
  signal?: AbortSignal;
}

/** No replica could be reached (all refused, reset or unhealthy). */
export class NoReplicaError extends Error {
  constructor(
    readonly tried: string[],
    cause?: unknown,
  ) {
    super(`no inference replica answered (tried ${tried.join(", ") || "none"})`, { cause });
    this.name = "NoReplicaError";
  }
}

const agentOptions = { keepAlive: true, maxSockets: 256 };
const httpAgent = new http.Agent(agentOptions);
const httpsAgent = new https.Agent(agentOptions);
// Statuses that mean "this replica cannot take it now": another one may.
const RETRYABLE_STATUS = new Set([502, 503]);
const PROBE_TIMEOUT_MS = 2_000;

/**
 * Spreads requests over replicas by least outstanding requests. A replica that refuses a
 * connection, or fails its periodic probe (GET /v1/models), is skipped until it answers again.
 * A request is retried on another replica only before any byte of the answer went to the client,
 * i.e. here, before the headers of a usable response arrived.
 */
export class InferencePool {
  private readonly replicas: Replica[];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    urls: readonly string[],
    private readonly options: { logger: Logger; healthIntervalMs: number },
  ) {
    this.replicas = urls.map((url) => ({
      url: new URL(url.replace(/\/$/, "")),
      outstanding: 0,
      healthy: true,
    }));
  }

  /** Starts the periodic health probes. */
  start(): void {
    if (this.timer || this.replicas.length === 0) return;
    this.timer = setInterval(() => void this.probeAll(), this.options.healthIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Each replica's state, for /metrics and tests. */
  snapshot(): Array<{ url: string; healthy: boolean; outstanding: number }> {
    return this.replicas.map((r) => ({
      url: r.url.origin,
      healthy: r.healthy,
      outstanding: r.outstanding,
    }));
  }

  /** Probes every replica once now. */
  async probeAll(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => this.probe(replica)));
  }

  private async probe(replica: Replica): Promise<void> {
    try {
      const response = await fetch(new URL("/v1/models", replica.url), {
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      await response.body?.cancel();
      this.mark(replica, response.status < 500);
    } catch {
      this.mark(replica, false);
    }
  }

  private mark(replica: Replica, healthy: boolean): void {
    if (replica.healthy !== healthy)
      this.options.logger.warn(
        { replica: replica.url.origin, healthy },
        healthy ? "inference replica is back" : "inference replica ejected",
      );
    replica.healthy = healthy;
  }

  private pick(exclude: ReadonlySet<Replica>): Replica | undefined {
    const candidates = this.replicas.filter((r) => !exclude.has(r));
    // With every replica ejected, trying one beats refusing: the probe may simply lag behind.
    const healthy = candidates.filter((r) => r.healthy);
    const pool = healthy.length > 0 ? healthy : candidates;
    let best: Replica | undefined;
    for (const replica of pool) if (!best || replica.outstanding < best.outstanding) best = replica;
    return best;
  }

  /**
   * The same pool (its replicas, their health and outstanding counts) with each request passed
   * through `wrap` first, e.g. to track work that outlives its client's request or to add a
   * signal that aborts it.
   */
  through(
    wrap: (
      options: PoolRequest,
      send: (options: PoolRequest) => Promise<UpstreamResponse>,
    ) => Promise<UpstreamResponse>,
  ): InferencePool {
    // A view whose prototype is this pool: it reads the same state and sends through it.
    const view = Object.create(this) as InferencePool;
    view.request = (options) => wrap(options, (wrapped) => this.request(wrapped));
    return view;
  }

  /**
   * Sends a request to the least busy healthy replica and resolves once response headers arrive.
   * Connection failures and 502/503 answers are retried on another replica while one is left.
   */
  async request(options: PoolRequest): Promise<UpstreamResponse> {
    const tried = new Set<Replica>();
    let lastError: unknown;
    for (;;) {
      const replica = this.pick(tried);
      if (!replica)
        throw new NoReplicaError(
          [...tried].map((r) => r.url.origin),
          lastError,
        );
      tried.add(replica);
      const canRetry = tried.size < this.replicas.length;
      try {
        const response = await this.send(replica, options);
        if (canRetry && RETRYABLE_STATUS.has(response.statusCode ?? 0)) {
          response.resume();
          continue;
        }
        return { response, replicaUrl: replica.url.origin };
      } catch (error) {
        if (options.signal?.aborted) throw error;
        this.mark(replica, false);
        lastError = error;
      }
    }
  }

  private send(replica: Replica, options: PoolRequest): Promise<IncomingMessage> {
    const secure = replica.url.protocol === "https:";
    const basePath = replica.url.pathname === "/" ? "" : replica.url.pathname;
    replica.outstanding += 1;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      replica.outstanding -= 1;
    };
    return new Promise((resolve, reject) => {
      const request = (secure ? https : http).request(
        {
          protocol: replica.url.protocol,
          hostname: replica.url.hostname,
          port: replica.url.port,
          method: options.method,
          path: basePath + options.path,
          headers: {
            ...options.headers,
            ...(options.body ? { "content-length": String(options.body.length) } : {}),
          },
          agent: secure ? httpsAgent : httpAgent,
          signal: options.signal,
        },
        (response) => {
          response.once("close", release);
          resolve(response);
        },
      );
      request.once("error", (error) => {
        release();
        reject(error);
      });
      request.end(options.body);
    });
  }
}
