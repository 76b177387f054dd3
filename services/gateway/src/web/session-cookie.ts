import net from "node:net";
import type { Express, Request, Response } from "express";
import { ZRestLoginRequest, ZRestRegisterRequest } from "@dogi/contracts";
import type { TAuthResponse, TTokenPair } from "@dogi/contracts";
import { AppError, callAlone } from "@dogi/trpc";
import type { z } from "zod";
import { asUser } from "../clients.ts";
import type { ServiceClients } from "../clients.ts";
import { clientIpField } from "../edge/client-ip.ts";
import { toSnake } from "../http/case.ts";
import { describeFailure, sendFailure } from "../http/failure.ts";
import { tokenResponse } from "../auth/token-response.ts";
import { jsonBody } from "../http/json-body.ts";

/** The refresh token's cookie: HttpOnly and sent only to these routes, so scripts never see it. */
export const REFRESH_COOKIE = "dogi_refresh";
const COOKIE_PATH = "/web/session";

export interface WebSessionDeps {
  services: ServiceClients;
  trustedProxies: net.BlockList;
}

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** HTTPS as the browser sees it: the socket, or X-Forwarded-Proto from a trusted proxy only. */
function isHttps(req: Request, trusted: net.BlockList): boolean {
  if (req.secure) return true;
  const peer = (req.socket.remoteAddress ?? "").replace(/^::ffff:(?=\d+\.)/, "");
  const type = net.isIPv6(peer) ? "ipv6" : net.isIPv4(peer) ? "ipv4" : null;
  if (type === null || !trusted.check(peer, type)) return false;
  const proto = String(req.headers["x-forwarded-proto"] ?? "");
  return proto.split(",")[0]?.trim().toLowerCase() === "https";
}

function setRefreshCookie(res: Response, tokens: TTokenPair, secure: boolean) {
  const maxAge = Math.max(
    0,
    Math.floor((Date.parse(tokens.refreshTokenExpiresAt) - Date.now()) / 1000),
  );
  res.setHeader(
    "set-cookie",
    `${REFRESH_COOKIE}=${encodeURIComponent(tokens.refreshToken)}; Path=${COOKIE_PATH}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`,
  );
}

function clearRefreshCookie(res: Response, secure: boolean) {
  res.setHeader(
    "set-cookie",
    `${REFRESH_COOKIE}=; Path=${COOKIE_PATH}; Max-Age=0; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`,
  );
}

/** The token answer without its refresh token, which stays in the cookie. */
function accessOnly(tokens: TTokenPair) {
  const { refresh_token: _kept, ...rest } = tokenResponse(tokens);
  return rest;
}

/**
 * A cross-site request cannot carry the SameSite=Strict cookie, but refuse one anyway when its
 * Origin names another site, and require JSON so a plain HTML form cannot post here.
 */
function assertSameOrigin(req: Request): void {
  if (!req.is("application/json"))
    throw new AppError("BAD_REQUEST", "Send these requests as application/json.");
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    host = "";
  }
  if (host !== req.headers.host)
    throw new AppError("FORBIDDEN", "This request must come from the Dogi page itself.");
}

function parseBody<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const first = result.error.issues[0];
  throw new AppError(
    "VALIDATION_FAILED",
    `Invalid body: ${first ? `${first.path.join(".")}: ${first.message}` : "malformed"}`,
  );
}

/**
 * The page's sign-in: POST /web/session/{register,login,refresh,logout}. Like /v1/auth, but the
 * refresh token is set as an HttpOnly, SameSite=Strict cookie (Secure under HTTPS) instead of
 * returned in JSON, so no script on the page can read it.
 */
export function mountWebSession(app: Express, deps: WebSessionDeps): void {
  const json = jsonBody(16 * 1024);
  const clientIp = (req: Request) => clientIpField(req, deps.trustedProxies);

  const route = (
    name: string,
    handler: (req: Request, res: Response, secure: boolean) => Promise<void>,
  ) => {
    app.post(`${COOKIE_PATH}/${name}`, json, async (req: Request, res: Response) => {
      const secure = isHttps(req, deps.trustedProxies);
      res.setHeader("cache-control", "no-store");
      try {
        assertSameOrigin(req);
        await handler(req, res, secure);
      } catch (error) {
        const failure = describeFailure(error);
        if (failure.code === "INTERNAL") req.log.error({ err: error }, "web session failed");
        // A refresh token that auth refused is of no further use: drop it.
        if (failure.code === "UNAUTHENTICATED") clearRefreshCookie(res, secure);
        sendFailure(res, req.requestId, failure);
      }
    });
  };

  const signedIn = (req: Request, res: Response, secure: boolean, result: TAuthResponse) => {
    setRefreshCookie(res, result.tokens, secure);
    res.status(req.path.endsWith("/register") ? 201 : 200).json({
      user: toSnake(result.user),
      ...accessOnly(result.tokens),
    });
  };

  route("register", async (req, res, secure) => {
    const body = parseBody(ZRestRegisterRequest, req.body);
    const result = await deps.services.auth.account.register.mutate(
      {
        email: body.email,
        password: body.password,
        ...(body.full_name ? { fullName: body.full_name } : {}),
        ...(body.locale ? { locale: body.locale } : {}),
        ...clientIp(req),
      },
      callAlone(),
    );
    signedIn(req, res, secure, result);
  });

  route("login", async (req, res, secure) => {
    const body = parseBody(ZRestLoginRequest, req.body);
    signedIn(
      req,
      res,
      secure,
      await deps.services.auth.tokens.issue.mutate({ ...body, ...clientIp(req) }, callAlone()),
    );
  });

  route("refresh", async (req, res, secure) => {
    const refreshToken = readCookie(req, REFRESH_COOKIE);
    if (!refreshToken) throw new AppError("UNAUTHENTICATED", "Not signed in.");
    const tokens = await deps.services.auth.tokens.refresh.mutate({ refreshToken }, callAlone());
    setRefreshCookie(res, tokens, secure);
    res.status(200).json(accessOnly(tokens));
  });

  route("logout", async (req, res, secure) => {
    const refreshToken = readCookie(req, REFRESH_COOKIE);
    clearRefreshCookie(res, secure);
    if (refreshToken) {
      // Logging out needs the user's access token; rotating the cookie's refresh token yields
      // one (and spends the old token), then the new pair is revoked. Either failing means the
      // token was already unusable, which is what signing out wants.
      try {
        const tokens = await deps.services.auth.tokens.refresh.mutate(
          { refreshToken },
          callAlone(),
        );
        await deps.services.auth.tokens.revoke.mutate(
          { refreshToken: tokens.refreshToken },
          asUser(tokens.accessToken),
        );
      } catch (error) {
        const failure = describeFailure(error);
        if (failure.code !== "UNAUTHENTICATED" && failure.code !== "NOT_FOUND") throw error;
      }
    }
    res.status(204).end();
  });
}
