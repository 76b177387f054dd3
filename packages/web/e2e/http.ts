/** A POST to the page's sign-in routes as a script outside the browser sends it (JSON, no Origin unless given). */
export function webSessionPost(
  baseUrl: string,
  name: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  return fetch(`${baseUrl}/web/session/${name}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...options.headers },
    body: JSON.stringify(options.body ?? {}),
  });
}

/** The Set-Cookie line of the refresh cookie, or null when the response set none. */
export function refreshCookieOf(response: Response): string | null {
  return response.headers.getSetCookie().find((line) => line.startsWith("dogi_refresh=")) ?? null;
}
