import { TRPCClientError } from "@trpc/client";
import { z } from "zod";
import { defaultPorts, httpUrl, loadEnv, millis } from "@dogi/config";
import { ZEmail } from "@dogi/contracts";
import type { THostRoleResponse } from "@dogi/contracts";
import { createServiceClient } from "@dogi/trpc";
import type { AuthRouter } from "@dogi/auth";
import { launcherEnvironment } from "../env-file.ts";
import { findRepoRoot } from "../paths.ts";
import { cliSigner } from "../service-signer.ts";
import { isUnreachable, messageOf } from "../service-errors.ts";
import { parseCommandArgs } from "../command-args.ts";
import { UsageError } from "../usage-error.ts";

export const adminUsage = `dogi admin grant EMAIL | revoke EMAIL | list [--url URL]

Gives or takes the admin role, which opens the admin area of the web app (users, the knowledge
base, models, usage, feedback, the audit log), or lists the admins. The user must have signed up
first. Dogi must be running (pnpm start): the command asks the auth service, signed with
INTERNAL_SECRET (environment or .env; else DATA_DIR/secrets/internal-secret from pnpm start).
Every change is written to the audit log as done by "host". The last admin cannot be revoked:
grant another admin first.

  grant EMAIL    make the user an admin
  revoke EMAIL   make the admin a plain user again
  list           every admin, with when they last signed in
  --url          the auth service (default: AUTH_URL, http://127.0.0.1:${defaultPorts.auth})`;

const ZAdminEnv = z.object({
  AUTH_URL: httpUrl().default(`http://127.0.0.1:${defaultPorts.auth}`),
  ADMIN_TIMEOUT_MS: millis(15_000),
});

type AuthClient = ReturnType<typeof createServiceClient<AuthRouter>>;

/** `dogi admin grant|revoke|list`: the host's role commands; exit 1 when refused or unreachable. */
export async function adminCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(args, adminUsage, { url: { type: "string" } });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const [action, given, ...rest] = positionals;
  if (action !== "grant" && action !== "revoke" && action !== "list")
    throw new UsageError(
      action === undefined
        ? "say what to do: grant, revoke or list"
        : `unknown admin command ${JSON.stringify(action)}`,
      adminUsage,
    );
  if (action === "list" ? given !== undefined : given === undefined || rest.length > 0)
    throw new UsageError(
      action === "list" ? "list takes no email" : `${action} takes one email`,
      adminUsage,
    );
  const email = given === undefined ? undefined : ZEmail.safeParse(given);
  if (email && !email.success)
    throw new UsageError(`${JSON.stringify(given)} is not an email address`, adminUsage);

  let env;
  let signer;
  try {
    const root = findRepoRoot();
    const source = launcherEnvironment(root);
    env = loadEnv(ZAdminEnv, { service: "dogi admin", source });
    signer = await cliSigner(source, root);
  } catch (error) {
    console.error(messageOf(error));
    return 78;
  }
  const url = values.url ?? env.AUTH_URL;
  if (!httpUrl().safeParse(url).success)
    throw new UsageError(`--url must be an http(s) URL, got ${JSON.stringify(url)}`, adminUsage);
  const auth = createServiceClient<AuthRouter>({
    url,
    timeoutMs: env.ADMIN_TIMEOUT_MS,
    credential: { signer, target: "auth" },
  });

  try {
    if (email === undefined) await list(auth);
    else if (action === "grant") say(await auth.host.grant.mutate({ email: email.data }), action);
    else say(await auth.host.revoke.mutate({ email: email.data }), "revoke");
    return 0;
  } catch (error) {
    console.error(describe(error, url, email?.data));
    return 1;
  }
}

function say(result: THostRoleResponse, action: "grant" | "revoke"): void {
  if (action === "grant")
    console.log(
      result.changed ? `granted admin to ${result.email}` : `${result.email} is already an admin`,
    );
  else
    console.log(
      result.changed ? `revoked admin from ${result.email}` : `${result.email} is not an admin`,
    );
}

async function list(auth: AuthClient): Promise<void> {
  const { admins } = await auth.host.list.query();
  if (admins.length === 0) {
    console.log("no admins yet: grant one with pnpm dogi admin grant EMAIL");
    return;
  }
  const width = Math.max(...admins.map((admin) => admin.email.length));
  for (const admin of admins)
    console.log(
      `${admin.email.padEnd(width)}  ${admin.disabled ? "disabled" : "enabled "}  last sign-in ${admin.lastSignInAt ?? "never"}`,
    );
}

function describe(error: unknown, url: string, email: string | undefined): string {
  if (isUnreachable(error))
    return `the auth service at ${url} did not answer; is Dogi running? (pnpm start)`;
  if (error instanceof TRPCClientError) {
    const code: unknown = (error.data as { appCode?: unknown } | undefined)?.appCode;
    if (code === "NOT_FOUND" && email !== undefined)
      return `no user with email ${email}: they must sign up first`;
    if (code === "CONFLICT" && email !== undefined && /last admin/.test(error.message))
      return `refused: ${email} is the last admin; grant another admin first`;
  }
  return `refused: ${messageOf(error)}`;
}
