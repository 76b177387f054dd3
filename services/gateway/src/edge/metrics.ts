import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The gateway's metrics: requests by route and status, durations, streams and replicas. */
export class GatewayMetrics {
  // A registry of its own: tests run several services in one process.
  private readonly registry = new Registry();
  private readonly requests = new Counter({
    name: "gateway_http_requests_total",
    help: "Requests answered, by method, route and status.",
    labelNames: ["method", "route", "status"] as const,
    registers: [this.registry],
  });
  private readonly durations = new Histogram({
    name: "gateway_http_request_duration_seconds",
    help: "Time to the end of the response.",
    labelNames: ["route"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly limited = new Counter({
    name: "gateway_rate_limited_total",
    help: "Requests refused by a rate limit.",
    labelNames: ["limit"] as const,
    registers: [this.registry],
  });
  private readonly held = new Counter({
    name: "gateway_refusals_held_total",
    help: "Refusals held back before they were sent, because the client asked again before the Retry-After of its last one.",
    registers: [this.registry],
  });
  private readonly titles = new Counter({
    name: "gateway_session_titles_total",
    help: "Model-written session titles, by outcome.",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  streamsInFlight = 0;
  /** Filled by the inference pool at render time. */
  replicas: () => Array<{ url: string; healthy: boolean; outstanding: number }> = () => [];

  constructor() {
    const streams = () => this.streamsInFlight;
    const replicas = () => this.replicas();
    new Gauge({
      name: "gateway_streams_in_flight",
      help: "Chat streams being served.",
      registers: [this.registry],
      collect() {
        this.set(streams());
      },
    });
    new Gauge({
      name: "gateway_inference_replica_healthy",
      help: "1 when the replica answers its health probe.",
      labelNames: ["url"] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const replica of replicas()) this.set({ url: replica.url }, replica.healthy ? 1 : 0);
      },
    });
    new Gauge({
      name: "gateway_inference_replica_outstanding",
      help: "Requests in flight to the replica.",
      labelNames: ["url"] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const replica of replicas()) this.set({ url: replica.url }, replica.outstanding);
      },
    });
    // Node's own: CPU, memory, event-loop lag, GC, handles.
    collectDefaultMetrics({ register: this.registry });
  }

  /** The Content-Type of `render()`'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Counts one finished request. */
  observe(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.durations.observe({ route }, seconds);
  }

  /** Counts a request refused by a rate limit. */
  rateLimited(limit: string): void {
    this.limited.inc({ limit });
  }

  /** Counts a refusal held back (see RefusalPace). */
  refusalHeld(): void {
    this.held.inc();
  }

  /** Counts what became of a model-written session title. */
  title(outcome: string): void {
    this.titles.inc({ outcome });
  }

  /** The Prometheus text of every series. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
