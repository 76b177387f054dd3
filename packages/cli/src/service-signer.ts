import path from "node:path";
import type { EnvSource } from "@dogi/config";
import { ServiceCredentialSigner } from "@dogi/trpc";
import { readSecret } from "./launcher/secrets.ts";

/**
 * How a `dogi` command signs its calls to the running services: with INTERNAL_SECRET from the
 * environment or .env, else the one `pnpm start` generated in DATA_DIR/secrets. Throws a message
 * that says what to do when neither exists.
 */
export async function cliSigner(source: EnvSource, root: string): Promise<ServiceCredentialSigner> {
  const given = source.INTERNAL_SECRET;
  const secret =
    given !== undefined && given !== ""
      ? given
      : await readSecret(path.resolve(root, source.DATA_DIR ?? "data"), "INTERNAL_SECRET");
  if (secret === undefined)
    throw new Error(
      "INTERNAL_SECRET is unset and DATA_DIR/secrets/internal-secret does not exist: start Dogi once (pnpm start), or set INTERNAL_SECRET to the value the services run with.",
    );
  return new ServiceCredentialSigner({ secret, caller: "cli" });
}
