import { randomBytes } from "node:crypto";
import { SERVICE_CREDENTIAL_HEADER, ServiceCredentialSigner } from "@dogi/trpc";
import type { ServiceName } from "@dogi/trpc";

/** The INTERNAL_SECRET of the services a test file starts (random for each test file). */
export const testInternalSecret = randomBytes(48).toString("base64");

/** What an internal service's app is given in a test: the file's secret. */
export const testInternalAuth = { secret: testInternalSecret } as const;

const signers = new Map<ServiceName, ServiceCredentialSigner>();

/** The signer of `caller` under the test secret: what the real caller would hold. */
export function testSigner(caller: ServiceName = "gateway"): ServiceCredentialSigner {
  let signer = signers.get(caller);
  if (!signer) {
    signer = new ServiceCredentialSigner({ secret: testInternalSecret, caller });
    signers.set(caller, signer);
  }
  return signer;
}

/** The options of a test's client of `target`, signed as `caller` (the gateway by default). */
export function testCredential(target: ServiceName, caller: ServiceName = "gateway") {
  return { signer: testSigner(caller), target };
}

/** The header of one raw HTTP call from `caller` to `target`, e.g. a fetch of inference's /v1. */
export function serviceHeaders(
  target: ServiceName,
  caller: ServiceName = "gateway",
): Record<string, string> {
  return { [SERVICE_CREDENTIAL_HEADER]: testSigner(caller).credentialFor(target) };
}
