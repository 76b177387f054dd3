import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import { Readable } from "node:stream";
import { Pool } from "undici";
import type { Dispatcher } from "undici";
import type { Logger } from "@dogi/logger";
import { SERVICE_CREDENTIAL_HEADER } from "@dogi/trpc";

/** One OpenAI-compatible engine the gateway sends generation to. */
interface Replica {
  url: URL;
  /** The URL's path without a trailing slash ("" for the root), put before each request's path. */
  basePath: string;
  /** Keep-alive connections for the proxied door (undici), made on first use. */
  dispatcher: Pool | undefined;
  outstanding: number;
  healthy: boolean;
}

/**
 * Where a proxied answer goes (`InferencePool.proxy`). Exactly one of `onStart` (then data, then
 * `onEnd` or `onError`) or `onUnavailable` is called, unless the call is aborted first.
 */
export interface ProxySink {
  /** The answer's status and headers, and who answered; from here on it is never retried. */
  onStart(statusCode: number, headers: IncomingHttpHeaders, replicaUrl: string): void;
  /** A piece of the body as it arrived; false pauses the answer until `ProxyCall.resume()`. */
  onData(chunk: Buffer): boolean;
  onEnd(): void;
  /** The answer broke after it started (the replica died or reset mid-answer). */
  onError(error: Error): void;
  /** No replica answered before the first byte. */
  onUnavailable(error: NoReplicaError): void;
}

/** A proxied request in flight. */
export interface ProxyCall {
  /** Cancels the request (and so the generation it drives); the sink hears nothing more. */
  abort(): void;
  /** Resumes an answer paused by `onData` returning false. */
  resume(): void;
}

/**
 * A replica's answer whose headers arrived (`InferencePool.request`). Read `body` to its end or
 * abort the request's signal: the replica's connection and outstanding count wait for either.
 */
export interface UpstreamResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** The answer's bytes as they arrive; fails if the answer breaks or the signal aborts. */
  body: Readable;
  replicaUrl: string;
}

/** One request to a replica: what `InferencePool.request` takes. */
export interface PoolRequest {
  method: string;
  path: string;
  headers: OutgoingHttpHeaders;
  body?: Buffer;
  signal?: AbortSignal;
  /**
   * Requests with the same affinity go to the same healthy replica, where their prompt prefix
   * is cached (see `affinityOf`); absent: the least busy replica.
   */
  affinity?: string;
}

/** The affinity of a prompt_cache_key: scoped by the user, as inference scopes the key. */
export function affinityOf(userId: string, cacheKey: string): string {
  return `${userId}\u0000${cacheKey}`;
}

/**
 * How many more requests in flight than the least busy replica a key's own replica may have
 * before the request goes elsewhere: its cached prefix saves evaluating the history once,
 * waiting behind several generations costs more than that.
 */
const AFFINITY_SLACK = 4;

/** A 32-bit hash (FNV-1a, then murmur3's finalizer so that close inputs spread). */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
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

// Statuses that mean "this replica cannot take it now": another one may.
const RETRYABLE_STATUS = new Set([502, 503]);
const PROBE_TIMEOUT_MS = 2_000;

/** How the pool reaches its replicas. */
export interface InferencePoolOptions {
  logger: Logger;
  healthIntervalMs: number;
  /** How long a replica may take to send its status and headers (the whole answer when not streaming). */
  headersTimeoutMs: number;
  /**
   * How long an answer may send nothing. Not a deadline on the whole answer: a long answer on a
   * CPU takes minutes, and the client leaving is what cancels it.
   */
  idleTimeoutMs: number;
  /** The service credential each request and probe carries (Dogi's inference refuses calls without one). */
  credential: () => string;
}

/**
 * Spreads requests over replicas by least outstanding requests; a request with an affinity goes
 * to its rendezvous-hash replica (highest hash of affinity and replica among the healthy ones,
 * so a replica leaving or coming back moves only its own keys) unless that one is much busier
 * than the least busy. A replica that refuses a
 * connection, or fails its periodic probe (GET /v1/models), is skipped until it answers again.
 * A request is retried on another replica only before any byte of the answer went to the client,
 * i.e. here, before the headers of a usable response arrived.
 */
export class InferencePool {
  private readonly replicas: Replica[];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    urls: readonly string[],
    private readonly options: InferencePoolOptions,
  ) {
    this.replicas = urls.map((raw) => {
      const url = new URL(raw.replace(/\/$/, ""));
      const basePath = url.pathname === "/" ? "" : url.pathname;
      return { url, basePath, dispatcher: undefined, outstanding: 0, healthy: true };
    });
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
    for (const replica of this.replicas) {
      void replica.dispatcher?.destroy().catch(() => undefined);
      replica.dispatcher = undefined;
    }
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
        headers: { [SERVICE_CREDENTIAL_HEADER]: this.options.credential() },
      });
      await response.body?.cancel();
      this.mark(replica, response.status < 500);
    } catch {
      this.mark(replica, false);
    }
  }

  /** @internal Marks a replica healthy or not (logged when it changes). */
  mark(replica: Replica, healthy: boolean): void {
    if (replica.healthy !== healthy)
      this.options.logger.warn(
        { replica: replica.url.origin, healthy },
        healthy ? "inference replica is back" : "inference replica ejected",
      );
    replica.healthy = healthy;
  }

  /**
   * @internal The healthy replica not in `exclude` for `affinity` (see the class), else the
   * least busy one.
   */
  pick(exclude: ReadonlySet<Replica>, affinity?: string): Replica | undefined {
    const candidates = this.replicas.filter((r) => !exclude.has(r));
    // With every replica ejected, trying one beats refusing: the probe may simply lag behind.
    const healthy = candidates.filter((r) => r.healthy);
    const pool = healthy.length > 0 ? healthy : candidates;
    let best: Replica | undefined;
    for (const replica of pool) if (!best || replica.outstanding < best.outstanding) best = replica;
    if (affinity === undefined || !best) return best;
    let owner: Replica | undefined;
    let ownerScore = -1;
    for (const replica of pool) {
      const score = hash32(`${replica.url.href}\u0000${affinity}`);
      if (score > ownerScore) {
        owner = replica;
        ownerScore = score;
      }
    }
    return owner && owner.outstanding - best.outstanding < AFFINITY_SLACK ? owner : best;
  }

  /**
   * Sends a request to the least busy healthy replica, or its affinity's (connection failures and 502/503 answers
   * are retried on another one while one is left) and hands the answer to `sink` as callbacks:
   * no request, response or stream objects per call, and the status, headers and first bytes
   * reach the sink in the same tick they are parsed. The OpenAI door's path.
   */
  proxy(options: PoolRequest, sink: ProxySink): ProxyCall {
    const call = new ProxyAttempts(this, options, sink, this.replicas.length);
    call.next(undefined);
    return call;
  }

  /**
   * `proxy` for code that reads the answer itself (the chat turn): resolves once a replica's
   * headers arrive, with the body as a stream (paused upstream while it is not read); rejects
   * with NoReplicaError, or with the signal's reason when aborted first.
   */
  request(options: PoolRequest): Promise<UpstreamResponse> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      // Read only after the promise resolved, so `call` is set by then.
      const body = new Readable({ read: () => call.resume() });
      // The reader learns of a failure from its own read; one that nobody is reading (not
      // started yet, or dropped) must not become an uncaught 'error' that ends the process.
      body.on("error", () => undefined);
      const settle = () => signal?.removeEventListener("abort", onAbort);
      const call = this.proxy(options, {
        onStart: (statusCode, headers, replicaUrl) =>
          resolve({ statusCode, headers, body, replicaUrl }),
        onData: (chunk) => body.push(chunk),
        onEnd: () => {
          settle();
          body.push(null);
        },
        onError: (error) => {
          settle();
          body.destroy(error);
        },
        onUnavailable: (error) => {
          settle();
          reject(error);
        },
      });
      function onAbort(): void {
        call.abort();
        reject(signal?.reason);
        body.destroy(signal?.reason);
      }
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** @internal Sends one attempt of a proxied call to `replica`. */
  dispatch(replica: Replica, options: PoolRequest, handler: Dispatcher.DispatchHandler): void {
    replica.dispatcher ??= new Pool(replica.url.origin, {
      connections: 256,
      pipelining: 1,
      headersTimeout: this.options.headersTimeoutMs,
      // undici's body timeout is the longest wait between two pieces of the body (and is not
      // counted while the reader has paused it), i.e. an idle timeout.
      bodyTimeout: this.options.idleTimeoutMs,
    });
    replica.dispatcher.dispatch(
      {
        origin: replica.url.origin,
        method: options.method as Dispatcher.HttpMethod,
        path: replica.basePath + options.path,
        headers: {
          ...(options.headers as Record<string, string>),
          [SERVICE_CREDENTIAL_HEADER]: this.options.credential(),
        },
        body: options.body ?? null,
      },
      handler,
    );
  }
}

/**
 * One proxied call and its attempts: each attempt goes to the least busy replica not tried yet,
 * and a connection failure or a 502/503 before the first byte moves on to the next one. One
 * object per call serves as the undici handler of every attempt (`attempt` tells a late event
 * of an abandoned attempt from the current one).
 */
class ProxyAttempts implements ProxyCall {
  private readonly tried = new Set<Replica>();
  private replica: Replica | undefined;
  private controller: Dispatcher.DispatchController | undefined;
  private started = false;
  private aborted = false;
  private paused = false;

  constructor(
    private readonly pool: InferencePool,
    private readonly options: PoolRequest,
    private readonly sink: ProxySink,
    private readonly replicaCount: number,
  ) {}

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.controller?.abort(new Error("the client left"));
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.controller?.resume();
  }

  /** Sends the next attempt, or tells the sink that no replica answered. */
  next(lastError: unknown): void {
    const replica = this.pool.pick(this.tried, this.options.affinity);
    if (!replica) {
      this.replica = undefined;
      this.sink.onUnavailable(
        new NoReplicaError(
          [...this.tried].map((r) => r.url.origin),
          lastError,
        ),
      );
      return;
    }
    this.tried.add(replica);
    this.replica = replica;
    this.controller = undefined;
    replica.outstanding += 1;
    this.pool.dispatch(replica, this.options, new Attempt(this, replica));
  }

  /** @internal */
  onRequestStart(replica: Replica, controller: Dispatcher.DispatchController): void {
    if (replica !== this.replica) return;
    this.controller = controller;
    if (this.aborted) controller.abort(new Error("the client left"));
  }

  /** @internal Whether the attempt's answer is passed on (false: dropped, a retry was sent). */
  onResponseStart(replica: Replica, statusCode: number, headers: IncomingHttpHeaders): boolean {
    if (replica !== this.replica || this.aborted) return false;
    if (this.tried.size < this.replicaCount && RETRYABLE_STATUS.has(statusCode)) {
      // This answer's body is read and dropped (its connection stays reusable).
      this.next(undefined);
      return false;
    }
    this.started = true;
    this.sink.onStart(statusCode, headers, replica.url.origin);
    return true;
  }

  /** @internal */
  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.aborted) return;
    if (!this.sink.onData(chunk)) {
      this.paused = true;
      controller.pause();
    }
  }

  /** @internal */
  onResponseEnd(): void {
    if (!this.aborted) this.sink.onEnd();
  }

  /** @internal */
  onResponseError(replica: Replica, passedOn: boolean, error: Error): void {
    if (this.aborted) return;
    // Started but not marked passed on: the sink threw in onStart (e.g. a header it refused).
    if (passedOn || (replica === this.replica && this.started)) {
      this.sink.onError(error);
      return;
    }
    if (replica !== this.replica) return;
    if ((error as { code?: unknown }).code === "UND_ERR_HEADERS_TIMEOUT") {
      // The replica took the request and worked on it all this time: another one would start
      // the generation over and keep the client waiting as long again. The probe judges health.
      this.replica = undefined;
      const tried = [...this.tried].map((r) => r.url.origin);
      this.sink.onUnavailable(new NoReplicaError(tried, error));
      return;
    }
    this.pool.mark(replica, false);
    this.next(error);
  }
}

/** The undici handler of one attempt: keeps its replica's outstanding count and forwards events. */
class Attempt implements Dispatcher.DispatchHandler {
  private released = false;
  private passedOn = false;

  constructor(
    private readonly call: ProxyAttempts,
    private readonly replica: Replica,
  ) {}

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.replica.outstanding -= 1;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.call.onRequestStart(this.replica, controller);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    this.passedOn = this.call.onResponseStart(this.replica, statusCode, headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.passedOn) this.call.onResponseData(controller, chunk);
  }

  onResponseEnd(): void {
    this.release();
    if (this.passedOn) this.call.onResponseEnd();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.release();
    this.call.onResponseError(this.replica, this.passedOn, error);
  }
}
