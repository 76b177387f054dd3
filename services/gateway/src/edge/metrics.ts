// Prometheus text exposition, written by hand: a handful of series needs no client library.

type Labels = Record<string, string>;

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(",")}}`;
}

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The gateway's metrics: requests by route and status, durations, streams and replicas. */
export class GatewayMetrics {
  private readonly requests = new Map<string, number>();
  private readonly durations = new Map<string, { buckets: number[]; sum: number; count: number }>();
  private readonly limited = new Map<string, number>();
  private readonly titles = new Map<string, number>();
  private readonly keys = new Map<string, string>();
  streamsInFlight = 0;
  /** Filled by the inference pool at render time. */
  replicas: () => Array<{ url: string; healthy: boolean; outstanding: number }> = () => [];

  /** Counts one finished request. */
  observe(method: string, route: string, status: number, seconds: number): void {
    // The label text is built once per method, route and status, not on every request.
    const id = `${method} ${route} ${status}`;
    let key = this.keys.get(id);
    if (key === undefined) {
      key = labelText({ method, route, status: String(status) });
      if (this.keys.size < 10_000) this.keys.set(id, key);
    }
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const dkey = this.routeKey(route);
    const entry = this.durations.get(dkey) ?? {
      buckets: BUCKETS.map(() => 0),
      sum: 0,
      count: 0,
    };
    BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) entry.buckets[i] = (entry.buckets[i] ?? 0) + 1;
    });
    entry.sum += seconds;
    entry.count += 1;
    this.durations.set(dkey, entry);
  }

  private routeKey(route: string): string {
    const id = `route ${route}`;
    let key = this.keys.get(id);
    if (key === undefined) {
      key = labelText({ route });
      if (this.keys.size < 10_000) this.keys.set(id, key);
    }
    return key;
  }

  /** Counts a request refused by a rate limit. */
  rateLimited(limit: string): void {
    const key = labelText({ limit });
    this.limited.set(key, (this.limited.get(key) ?? 0) + 1);
  }

  /** Counts what became of a model-written session title. */
  title(outcome: string): void {
    const key = labelText({ outcome });
    this.titles.set(key, (this.titles.get(key) ?? 0) + 1);
  }

  /** The Prometheus text of every series. */
  render(): string {
    const lines: string[] = [
      "# HELP gateway_http_requests_total Requests answered, by method, route and status.",
      "# TYPE gateway_http_requests_total counter",
      ...[...this.requests].map(([labels, n]) => `gateway_http_requests_total${labels} ${n}`),
      "# HELP gateway_http_request_duration_seconds Time to the end of the response.",
      "# TYPE gateway_http_request_duration_seconds histogram",
    ];
    for (const [labels, entry] of this.durations) {
      const inner = labels.slice(1, -1);
      BUCKETS.forEach((bound, i) =>
        lines.push(
          `gateway_http_request_duration_seconds_bucket{${inner},le="${bound}"} ${entry.buckets[i] ?? 0}`,
        ),
      );
      lines.push(
        `gateway_http_request_duration_seconds_bucket{${inner},le="+Inf"} ${entry.count}`,
        `gateway_http_request_duration_seconds_sum${labels} ${entry.sum}`,
        `gateway_http_request_duration_seconds_count${labels} ${entry.count}`,
      );
    }
    lines.push(
      "# HELP gateway_rate_limited_total Requests refused by a rate limit.",
      "# TYPE gateway_rate_limited_total counter",
      ...[...this.limited].map(([labels, n]) => `gateway_rate_limited_total${labels} ${n}`),
      "# HELP gateway_session_titles_total Model-written session titles, by outcome.",
      "# TYPE gateway_session_titles_total counter",
      ...[...this.titles].map(([labels, n]) => `gateway_session_titles_total${labels} ${n}`),
      "# HELP gateway_streams_in_flight Chat streams being served.",
      "# TYPE gateway_streams_in_flight gauge",
      `gateway_streams_in_flight ${this.streamsInFlight}`,
      "# HELP gateway_inference_replica_healthy 1 when the replica answers its health probe.",
      "# TYPE gateway_inference_replica_healthy gauge",
      "# HELP gateway_inference_replica_outstanding Requests in flight to the replica.",
      "# TYPE gateway_inference_replica_outstanding gauge",
    );
    for (const replica of this.replicas()) {
      const labels = labelText({ url: replica.url });
      lines.push(
        `gateway_inference_replica_healthy${labels} ${replica.healthy ? 1 : 0}`,
        `gateway_inference_replica_outstanding${labels} ${replica.outstanding}`,
      );
    }
    return `${lines.join("\n")}\n`;
  }
}
