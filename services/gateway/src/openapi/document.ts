import { ZAppErrorBody } from "@dogi/contracts";
import { jsonSchemaOf } from "../http/json-schema.ts";
import type { RestRouteDoc } from "../http/rest.ts";

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: jsonSchemaOf(ZAppErrorBody, "output") } },
});

/** The OpenAPI 3.1 document of every public REST route, generated from the contracts' schemas. */
export function openApiDocument(
  routes: readonly RestRouteDoc[],
  extra: readonly RestRouteDoc[] = [],
) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of [...routes, ...extra]) {
    const path = route.path.replace(/:(\w+)/g, "{$1}");
    const parameters: unknown[] = [...route.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    if (route.query) {
      const query = jsonSchemaOf(route.query, "input") as {
        properties?: Record<string, unknown>;
        required?: string[];
      };
      for (const [name, schema] of Object.entries(query.properties ?? {}))
        parameters.push({
          name,
          in: "query",
          required: query.required?.includes(name) ?? false,
          schema,
        });
    }
    const success = String(route.status ?? 200);
    const content: Record<string, unknown> = {};
    if (route.response)
      content["application/json"] = { schema: jsonSchemaOf(route.response, "output") };
    if (route.sse)
      content["text/event-stream"] = {
        schema: {
          type: "string",
          description: "event: triage | meta | delta | done | error; data: JSON",
        },
      };
    paths[path] ??= {};
    paths[path][route.method] = {
      tags: [route.tag],
      summary: route.summary,
      ...(parameters.length ? { parameters } : {}),
      ...(route.auth !== "none" ? { security: [{ bearer: [] }] } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: jsonSchemaOf(route.body, "input") } },
            },
          }
        : route.upload !== undefined
          ? {
              requestBody: {
                required: true,
                description: `The file itself, at most ${route.upload} bytes`,
                content: {
                  "application/octet-stream": { schema: { type: "string", format: "binary" } },
                },
              },
            }
          : {}),
      responses: {
        [success]: { description: "Success", ...(Object.keys(content).length ? { content } : {}) },
        "400": errorResponse("Invalid input: the message and `issues` say what to fix"),
        ...(route.auth !== "none"
          ? { "401": errorResponse("Missing, garbage or expired token") }
          : {}),
        ...(route.auth === "chat"
          ? { "403": errorResponse("An API key without the chat scope") }
          : {}),
        ...(route.auth === "admin"
          ? {
              "403": errorResponse("The caller is not an admin"),
              "409": errorResponse(
                "Refused: it would leave no admin, or acts on the admin themselves",
              ),
            }
          : {}),
        "404": errorResponse("Not found (or not yours)"),
        "413": errorResponse("Body too large"),
        "429": errorResponse("Rate limited; see Retry-After"),
        "503": errorResponse("A service is unavailable or overloaded; see Retry-After"),
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Dogi API",
      version: "0.1.0",
      description:
        "Dogi's public REST API (snake_case JSON). Dogi gives advice, never a diagnosis. The OpenAI-compatible routes follow OpenAI's own API reference.",
    },
    servers: [{ url: "/" }],
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    paths,
  };
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A page that lists the document's routes, with no script (the CSP allows none). */
export function openApiPage(document: ReturnType<typeof openApiDocument>): string {
  const rows = Object.entries(document.paths)
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => {
        const operation = op as { summary: string; security?: unknown };
        return `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escape(path)}</code></td><td>${escape(operation.summary)}</td><td>${operation.security ? "token" : ""}</td></tr>`;
      }),
    )
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Dogi API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
</head>
<body><h1>Dogi API</h1><p>The machine-readable document: <a href="/v1/openapi.json">/v1/openapi.json</a> (OpenAPI 3.1).
OpenAI-compatible routes: <code>POST /v1/chat/completions</code>, <code>POST /v1/completions</code>, <code>POST /v1/embeddings</code>, <code>GET /v1/models</code> (Dogi API key or access token).</p>
<table><thead><tr><th>Method</th><th>Path</th><th>What it does</th><th>Auth</th></tr></thead><tbody>${rows}</tbody></table></body></html>`;
}
