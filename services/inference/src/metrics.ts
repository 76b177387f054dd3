// Prometheus text exposition, written by hand: a handful of series needs no client library.

type Labels = Record<string, string>;

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  const body = entries
    .map(([key, value]) => `${key}="${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`)
    .join(",");
  return `{${body}}`;
}

class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    const entry = this.values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.values.set(key, entry);
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.values.values()) {
      lines.push(`${this.name}${labelText(labels)} ${value}`);
    }
    return lines.join("\n");
  }
}

class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
  ) {
    this.counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count += 1;
    this.buckets.forEach((bound, index) => {
      if (value <= bound) this.counts[index] = (this.counts[index] ?? 0) + 1;
    });
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    this.buckets.forEach((bound, index) => {
      lines.push(`${this.name}_bucket{le="${bound}"} ${this.counts[index] ?? 0}`);
    });
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.count}`);
    lines.push(`${this.name}_sum ${this.sum}`, `${this.name}_count ${this.count}`);
    return lines.join("\n");
  }
}

/** A gauge (or a counter kept elsewhere) read at scrape time. */
export interface GaugeSource {
  name: string;
  help: string;
  /** Defaults to gauge. */
  type?: "gauge" | "counter";
  read(): Promise<Array<{ labels?: Labels; value: number }>>;
}

/** The inference service's metrics. */
export class InferenceMetrics {
  readonly requests = new Counter(
    "inference_requests_total",
    "Requests by endpoint, model and HTTP status.",
  );
  readonly promptTokens = new Counter("inference_prompt_tokens_total", "Prompt tokens evaluated.");
  readonly cachedPromptTokens = new Counter(
    "inference_prompt_tokens_cached_total",
    "Prompt tokens a sequence already held, reused without evaluating them again.",
  );
  readonly completionTokens = new Counter(
    "inference_completion_tokens_total",
    "Completion tokens generated.",
  );
  readonly timeToFirstToken = new Histogram(
    "inference_time_to_first_token_seconds",
    "From holding a sequence to the first generated token.",
    [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  );
  readonly decodeRate = new Histogram(
    "inference_decode_tokens_per_second",
    "Decode speed of each request after its first token.",
    [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
  );
  private readonly gauges: GaugeSource[] = [];

  /** Adds gauges read on every scrape (queue depth, busy sequences, GPU memory). */
  addGauge(source: GaugeSource): void {
    this.gauges.push(source);
  }

  /** Records the outcome of one generation. */
  recordGeneration(options: {
    /** Prompt tokens evaluated. */
    promptTokens: number;
    /** Prompt tokens reused from the sequence's cache. */
    cachedTokens: number;
    completionTokens: number;
    ttftMs: number;
    predictedPerSecond: number;
    model: string;
  }): void {
    this.promptTokens.inc({ model: options.model }, options.promptTokens);
    this.cachedPromptTokens.inc({ model: options.model }, options.cachedTokens);
    this.completionTokens.inc({ model: options.model }, options.completionTokens);
    this.timeToFirstToken.observe(options.ttftMs / 1000);
    if (options.predictedPerSecond > 0) this.decodeRate.observe(options.predictedPerSecond);
  }

  /** The Prometheus text body of /metrics. */
  async render(): Promise<string> {
    const parts = [
      this.requests.render(),
      this.promptTokens.render(),
      this.cachedPromptTokens.render(),
      this.completionTokens.render(),
      this.timeToFirstToken.render(),
      this.decodeRate.render(),
    ];
    for (const gauge of this.gauges) {
      const lines = [
        `# HELP ${gauge.name} ${gauge.help}`,
        `# TYPE ${gauge.name} ${gauge.type ?? "gauge"}`,
      ];
      for (const { labels, value } of await gauge.read()) {
        lines.push(`${gauge.name}${labelText(labels ?? {})} ${value}`);
      }
      parts.push(lines.join("\n"));
    }
    return `${parts.join("\n")}\n`;
  }
}
