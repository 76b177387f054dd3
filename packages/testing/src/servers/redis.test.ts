import net from "node:net";
import { describe, expect, it } from "vitest";
import { startedForSuite } from "../suite.ts";
import { isGroupRunning, isPortFree } from "@dogi/servers";
import { requireServer } from "./binaries.ts";
import { startRedis } from "./redis.ts";

const gate = requireServer("redis");

/** Sends one inline command and returns its raw reply (QUIT after it closes the connection). */
function send(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    let reply = "";
    socket.once("error", reject);
    socket.on("data", (chunk: Buffer) => (reply += chunk.toString("utf8")));
    socket.once("end", () => resolve(reply.replace(/\+OK\r\n$/, "")));
    socket.once("connect", () => socket.write(`${command}\r\nQUIT\r\n`));
  });
}

describe.skipIf(gate.skip)(gate.title("startRedis"), () => {
  const server = startedForSuite(startRedis);

  it("serves on loopback, with snapshots and the append-only file off", async () => {
    expect(server().url).toBe(`redis://127.0.0.1:${server().port}`);
    expect(await send(server().port, "SET pet 콩이")).toBe("+OK\r\n");
    expect(await send(server().port, "GET pet")).toBe(`$${Buffer.byteLength("콩이")}\r\n콩이\r\n`);
    expect(await send(server().port, "CONFIG GET save")).toBe("*2\r\n$4\r\nsave\r\n$0\r\n\r\n");
    expect(await send(server().port, "CONFIG GET appendonly")).toBe(
      "*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n",
    );
  });

  it("stop() ends redis-server and frees its port; a new one starts on that port, empty", async () => {
    const { port, pid } = server();
    await server().stop();
    expect(isGroupRunning(pid)).toBe(false);
    expect(await isPortFree(port)).toBe(true);

    const restarted = await startRedis({ port });
    try {
      expect(restarted.port).toBe(port);
      expect(await send(port, "EXISTS pet")).toBe(":0\r\n");
      await expect(startRedis({ port })).rejects.toThrow(/already in use/);
    } finally {
      await restarted.stop();
    }
  });
});
