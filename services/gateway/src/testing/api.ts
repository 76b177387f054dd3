import { randomUUID } from "node:crypto";
import { SseParser } from "@dogi/sse";
import { endlessAnswerFormat } from "@dogi/testing";

// Tests read response bodies loosely and let their assertions check the shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

/** The password `register` signs users up with. */
const password = "correct horse battery";

/** A small REST client of the gateway for tests. */
export class Api {
  constructor(
    readonly baseUrl: string,
    public token?: string,
  ) {}

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return {
      status: response.status,
      headers: response.headers,
      json: json as Record<string, Loose>,
    };
  }

  /** Registers a new user and keeps its access token. */
  async register(): Promise<{ email: string; password: string; refresh: string; userId: string }> {
    const email = `u-${randomUUID().slice(0, 8)}@example.com`;
    const result = await this.call("POST", "/v1/auth/register", {
      email,
      password,
      full_name: "Test User",
    });
    if (result.status !== 201)
      throw new Error(`register: ${result.status} ${JSON.stringify(result.json)}`);
    this.token = result.json.access_token as string;
    return {
      email,
      password,
      refresh: result.json.refresh_token as string,
      userId: result.json.user.user_id as string,
    };
  }

  /** Creates an API key named `name` with `scopes` for the user `register` signed up. */
  createApiKey(name: string, scopes: string[]) {
    return this.call("POST", "/v1/auth/api-keys", { name, scopes, current_password: password });
  }
}

/** POSTs "hi" for the default model to the OpenAI-compatible door with `apiKey`; `extra` joins the body. */
export function postChatHi(
  baseUrl: string,
  apiKey: string,
  extra: Record<string, unknown> = {},
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${baseUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({
      model: "default",
      messages: [{ role: "user", content: "hi" }],
      ...extra,
    }),
    ...(signal ? { signal } : {}),
  });
}

/**
 * A long streamed answer from the OpenAI-compatible door: the grammar keeps the random test model
 * writing until `maxTokens`, its sequence is full, or `signal` aborts the request.
 */
export function postEndlessStream(
  baseUrl: string,
  token: string,
  options: { maxTokens: number; signal: AbortSignal },
): Promise<Response> {
  return postChatHi(
    baseUrl,
    token,
    { max_tokens: options.maxTokens, stream: true, response_format: endlessAnswerFormat },
    options.signal,
  );
}

/** Reads a chat turn's SSE stream to its end: the events in order. */
export async function readEvents(
  response: Response,
): Promise<Array<{ event: string; data: Loose }>> {
  const parser = new SseParser();
  const events: Array<{ event: string; data: Loose }> = [];
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    for (const frame of parser.push(decoder.decode(chunk, { stream: true })))
      events.push({ event: frame.event, data: JSON.parse(frame.data) });
  }
  return events;
}
