// Container healthcheck of a Dogi service: exits 0 when its /readyz answers 200, else 1.
// Plain JavaScript run by node (no tsx), because Docker runs it every few seconds; slim images
// carry no curl or wget. The service is named by DOGI_SERVICE (set in the image) and its port is
// read from the same variable the service itself reads (AUTH_PORT, ..., GATEWAY_PORT).
/* global fetch, AbortSignal */

const defaultPorts = { auth: 4001, session: 4002, rag: 4003, inference: 4004, gateway: 8080 };

const service = process.env.DOGI_SERVICE ?? "";
if (!(service in defaultPorts)) {
  process.stderr.write(`healthcheck: DOGI_SERVICE must be one of ${Object.keys(defaultPorts)}\n`);
  process.exit(1);
}
const port = process.env[`${service.toUpperCase()}_PORT`] || defaultPorts[service];
const url = `http://127.0.0.1:${port}/readyz`;

try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
  if (response.ok) process.exit(0);
  process.stderr.write(
    `healthcheck: ${url} answered ${response.status}: ${await response.text()}\n`,
  );
} catch (error) {
  process.stderr.write(`healthcheck: ${url}: ${error instanceof Error ? error.message : error}\n`);
}
process.exit(1);
