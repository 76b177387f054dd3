import net from "node:net";

/** Asks the OS for a TCP port on `host` that is free right now (listen on port 0, then close). */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error(`could not read the port the OS assigned on ${host}`));
        return;
      }
      server.close((error) => (error ? reject(error) : resolve(address.port)));
    });
  });
}

/** True when nothing listens on `host:port` yet (we could bind it ourselves). */
export async function isPortFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** True when a bind failed because the port was taken (the window between freePort and the server's own bind). */
export function isPortInUseError(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error);
  return /EADDRINUSE|address already in use|bind on tcp\/ip port/i.test(text);
}

/**
 * Runs `start` on a fresh free port, retrying with another port when the server lost the race
 * for the one it was given. `start` must clean up after itself when it throws.
 */
export async function onFreePort<T>(start: (port: number) => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (error) {
      if (attempt >= attempts || !isPortInUseError(error)) throw error;
    }
  }
}
