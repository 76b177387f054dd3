import type { User } from "./types.ts";

/** Why a request failed, in the terms the page explains to people. */
export type FailureKind =
  "offline" | "unavailable" | "rate_limited" | "expired" | "invalid" | "other";

/** A failed call to the gateway: its kind, Dogi's error code and message, and when to retry. */
export class ApiError extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

const kindOf = (status: number, code: string): FailureKind => {
  if (status === 429 || code === "RATE_LIMITED") return "rate_limited";
  if (status === 401) return "expired";
  if (status === 502 || status === 503 || status === 504) return "unavailable";
  if (status === 400 || status === 404 || status === 409 || status === 413) return "invalid";
  return "other";
};

/** Turns a failed response into an ApiError, reading Dogi's `{ error: { code, message } }` body. */
export async function failureOf(response: Response): Promise<ApiError> {
  let code = `HTTP_${response.status}`;
  let message = response.statusText;
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  const retry = Number(response.headers.get("retry-after"));
  return new ApiError(
    kindOf(response.status, code),
    response.status,
    code,
    message,
    Number.isFinite(retry) && retry > 0 ? retry : null,
  );
}

interface TokenAnswer {
  access_token: string;
  expires_in: number;
}

/**
 * The gateway client: keeps the access token in memory only (the refresh token is an HttpOnly
 * cookie the page never sees), refreshes it silently, one refresh at a time across tabs.
 */
export class Api {
  private token: string | null = null;
  private refreshing: Promise<boolean> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Called when the sign-in cannot be renewed. */
  onExpired: () => void = () => {};

  get signedIn(): boolean {
    return this.token !== null;
  }

  private keep(answer: TokenAnswer): void {
    this.token = answer.access_token;
    clearTimeout(this.timer);
    // Renew before expiry so a long answer never starts with a token about to lapse.
    const inMs = Math.max(5, answer.expires_in * 0.8) * 1000;
    this.timer = setTimeout(() => void this.refresh(), inMs);
  }

  private async post(path: string, body: unknown): Promise<Response> {
    try {
      return await fetch(path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        credentials: "same-origin",
      });
    } catch {
      throw new ApiError("offline", 0, "NETWORK", "network error");
    }
  }

  /** Signs in or registers; the gateway sets the refresh cookie. */
  async signIn(
    action: "login" | "register",
    body: { email: string; password: string; full_name?: string; locale?: string },
  ): Promise<User> {
    const response = await this.post(`/web/session/${action}`, body);
    if (!response.ok) throw await failureOf(response);
    const answer = (await response.json()) as TokenAnswer & { user: User };
    this.keep(answer);
    return answer.user;
  }

  /**
   * Renews the access token from the refresh cookie. Concurrent callers share one request, and
   * tabs take turns (Web Locks): two refreshes racing with one token would revoke its family.
   */
  refresh(): Promise<boolean> {
    this.refreshing ??= (async () => {
      const run = async () => {
        const response = await this.post("/web/session/refresh", {});
        if (response.status === 401) {
          this.token = null;
          return false;
        }
        if (!response.ok) throw await failureOf(response);
        this.keep((await response.json()) as TokenAnswer);
        return true;
      };
      const locks = (navigator as Navigator & { locks?: LockManager }).locks;
      return locks ? locks.request("dogi-refresh", run) : run();
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** Signs out: the gateway revokes the refresh token and clears the cookie. */
  async signOut(): Promise<void> {
    clearTimeout(this.timer);
    this.token = null;
    await this.post("/web/session/logout", {}).catch(() => undefined);
  }

  /**
   * An authenticated request. A 401 renews the token once and retries; when that fails too,
   * `onExpired` runs and the error says the sign-in expired.
   */
  async request(
    method: string,
    path: string,
    body?: unknown,
    options: { signal?: AbortSignal; accept?: string } = {},
  ): Promise<Response> {
    const send = () =>
      fetch(path, {
        method,
        headers: {
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...(options.accept ? { accept: options.accept } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        credentials: "same-origin",
      });
    let response: Response;
    try {
      response = await send();
      if (response.status === 401) {
        if (!(await this.refresh())) {
          this.onExpired();
          throw new ApiError("expired", 401, "UNAUTHENTICATED", "session expired");
        }
        response = await send();
      }
    } catch (error) {
      if (error instanceof ApiError) throw error;
      if (options.signal?.aborted) throw error;
      throw new ApiError("offline", 0, "NETWORK", "network error");
    }
    if (!response.ok) throw await failureOf(response);
    return response;
  }

  /**
   * Sends a file as the raw body of a POST, reporting the bytes sent as they go: XMLHttpRequest,
   * because fetch reports no upload progress. A 401 renews the token once and sends again.
   */
  async upload<T>(
    path: string,
    file: Blob,
    onProgress: (sent: number, total: number) => void,
  ): Promise<T> {
    let response = await this.sendWithProgress(path, file, onProgress);
    if (response.status === 401) {
      if (!(await this.refresh())) {
        this.onExpired();
        throw new ApiError("expired", 401, "UNAUTHENTICATED", "session expired");
      }
      response = await this.sendWithProgress(path, file, onProgress);
    }
    if (!response.ok) throw await failureOf(response);
    return (await response.json()) as T;
  }

  private sendWithProgress(
    path: string,
    file: Blob,
    onProgress: (sent: number, total: number) => void,
  ): Promise<Response> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", path);
      xhr.setRequestHeader("content-type", "application/octet-stream");
      if (this.token) xhr.setRequestHeader("authorization", `Bearer ${this.token}`);
      xhr.upload.onprogress = (event) => onProgress(event.loaded, event.total || file.size);
      xhr.onerror = () => reject(new ApiError("offline", 0, "NETWORK", "network error"));
      xhr.onload = () => {
        // As a Response, so that failureOf reads its error the way it reads every other.
        const retryAfter = xhr.getResponseHeader("retry-after");
        resolve(
          new Response(xhr.status === 204 ? null : xhr.responseText, {
            status: xhr.status,
            statusText: xhr.statusText,
            headers: {
              "content-type": xhr.getResponseHeader("content-type") ?? "",
              ...(retryAfter ? { "retry-after": retryAfter } : {}),
            },
          }),
        );
      };
      xhr.send(file);
    });
  }

  /** An authenticated request whose answer is JSON (or nothing, for 204). */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.request(method, path, body);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
}
