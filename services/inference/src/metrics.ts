import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

type Labels = Record<string, string>;

/** A gauge (or a counter kept elsewhere) read at scrape time. */
export interface GaugeSource {
  name: string;
  help: string;
  /** Defaults to gauge. */
  type?: "gauge" | "counter";
  /** The label names its values carry (all values carry the same ones). */
  labelNames?: readonly string[];
  read(): Promise<Array<{ labels?: Labels; value: number }>>;
}

/** The inference service's metrics. */
export class InferenceMetrics {
  // A registry of its own: tests run several services in one process.
  private readonly registry = new Registry();
  readonly requests = new Counter({
    name: "inference_requests_total",
    help: "Requests by endpoint, model and HTTP status.",
    labelNames: ["endpoint", "model", "status"],
    registers: [this.registry],
  });
  private readonly promptTokens = new Counter({
    name: "inference_prompt_tokens_total",
    help: "Prompt tokens evaluated.",
    labelNames: ["model"] as const,
    registers: [this.registry],
  });
  private readonly cachedPromptTokens = new Counter({
    name: "inference_prompt_tokens_cached_total",
    help: "Prompt tokens a sequence already held, reused without evaluating them again.",
    labelNames: ["model"] as const,
    registers: [this.registry],
  });
  private readonly completionTokens = new Counter({
    name: "inference_completion_tokens_total",
    help: "Completion tokens generated.",
    labelNames: ["model"] as const,
    registers: [this.registry],
  });
  private readonly timeToFirstToken = new Histogram({
    name: "inference_time_to_first_token_seconds",
    help: "From holding a sequence to the first generated token.",
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly decodeRate = new Histogram({
    name: "inference_decode_tokens_per_second",
    help: "Decode speed of each request after its first token.",
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers: [this.registry],
  });

  constructor() {
    // Node's own: CPU, memory, event-loop lag, GC, handles.
    collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Adds series read on every scrape (queue depth, busy sequences, GPU memory, or counters the
   * engine keeps itself, which are set to the engine's running totals).
   */
  addGauge(source: GaugeSource): void {
    const options = {
      name: source.name,
      help: source.help,
      labelNames: source.labelNames ?? [],
      registers: [this.registry],
    };
    if (source.type === "counter") {
      new Counter({
        ...options,
        async collect() {
          this.reset();
          for (const { labels, value } of await source.read()) this.inc(labels ?? {}, value);
        },
      });
      return;
    }
    new Gauge({
      ...options,
      async collect() {
        this.reset();
        for (const { labels, value } of await source.read()) this.set(labels ?? {}, value);
      },
    });
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
    const model = { model: options.model };
    this.promptTokens.inc(model, options.promptTokens);
    this.cachedPromptTokens.inc(model, options.cachedTokens);
    this.completionTokens.inc(model, options.completionTokens);
    this.timeToFirstToken.observe(options.ttftMs / 1000);
    if (options.predictedPerSecond > 0) this.decodeRate.observe(options.predictedPerSecond);
  }

  /** The Content-Type of `render()`'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text body of /metrics. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
