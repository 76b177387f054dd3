import diagnostics from "node:diagnostics_channel";
import type http from "node:http";
import type { Socket } from "node:net";
import type { THttpServerEnv } from "@dogi/config";

/** How a service's HTTP server bounds its clients; see the HTTP_* variables in .env.example. */
export interface ServerLimits {
  /** Until a request's headers are in; capped at requestTimeoutMs (Node refuses more). */
  headersTimeoutMs: number;
  /** Until a whole request is in; the answer being written is not counted. */
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** No byte moved while the client owes one (its request, or reading the answer); 0: off. */
  idleTimeoutMs: number;
  maxHeadersCount: number;
  /** 0: no limit. */
  maxRequestsPerSocket: number;
  /** 0: no limit. */
  maxConnections: number;
}

/** The limits an operator set through the HTTP_* variables. */
export function serverLimits(env: THttpServerEnv): ServerLimits {
  return {
    headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    idleTimeoutMs: env.HTTP_IDLE_TIMEOUT_MS,
    maxHeadersCount: env.HTTP_MAX_HEADERS,
    maxRequestsPerSocket: env.HTTP_MAX_REQUESTS_PER_SOCKET,
    maxConnections: env.HTTP_MAX_CONNECTIONS,
  };
}

/** The options http.createServer needs for `limits` (some can only be given there). */
export function serverOptions(limits: ServerLimits): http.ServerOptions {
  const headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  return {
    headersTimeout,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks the two timeouts above on this interval (30 s by default), so a 10 s headers
    // timeout could let a slow client hold its connection for 40 s.
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(headersTimeout / 4))),
  };
}

/** Applies what `serverOptions` cannot: header, request and connection counts, and the idle guard. */
export function applyServerLimits(server: http.Server, limits: ServerLimits): void {
  server.maxHeadersCount = limits.maxHeadersCount;
  server.maxRequestsPerSocket = limits.maxRequestsPerSocket;
  if (limits.maxConnections > 0) server.maxConnections = limits.maxConnections;
  if (limits.idleTimeoutMs > 0) guardIdleSockets(server, limits.idleTimeoutMs);
}

/** What Node publishes on "http.server.request.start". */
interface RequestStart {
  request: http.IncomingMessage;
  response: http.ServerResponse;
  socket: Socket;
  server: http.Server;
}

/**
 * Node's socket timeout fires when no byte moved either way for `idleMs`; by default it would
 * destroy the socket. That would also cut an answer the server is still working on before its
 * first byte (a queued generation, a non-streamed completion), so a socket is kept only in that
 * case: its request is complete, its answer unfinished, and nothing written waits for the
 * client. A client that stops reading, stalls mid-request or idles between requests is closed.
 * A stream that writes now and then never times out: each write that reaches the client counts.
 */
function guardIdleSockets(server: http.Server, idleMs: number): void {
  const exchanges = new WeakMap<Socket, RequestStart>();
  // Seen through the diagnostics channel rather than a 'request' listener, which a service may
  // replace (the gateway puts its own request listener in place of the Express app).
  const onRequest = (message: unknown) => {
    const start = message as RequestStart;
    if (start.server === server) exchanges.set(start.socket, start);
  };
  diagnostics.subscribe("http.server.request.start", onRequest);
  server.once("close", () => diagnostics.unsubscribe("http.server.request.start", onRequest));

  server.timeout = idleMs;
  server.on("timeout", (socket: Socket) => {
    const exchange = exchanges.get(socket);
    const serverWorking =
      exchange !== undefined &&
      exchange.request.complete &&
      !exchange.response.writableEnded &&
      socket.writableLength === 0;
    if (serverWorking) socket.setTimeout(idleMs);
    else socket.destroy();
  });
}
