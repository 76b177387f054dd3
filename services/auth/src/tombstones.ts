import { text } from "node:stream/consumers";
import { z } from "zod";
import { loadEnvOrExit, ZAuthEnv } from "@dogi/config";
import { exportTombstones, replayTombstoneJson } from "./deletions/tombstone-transfer.ts";
import { createStore } from "./store/index.ts";

// Account deletions across a restore of the auth database (infra/restore.sh runs this in a
// one-off auth container, with the service's own AUTH_DATABASE_URL):
//   export  prints every tombstone as JSON on stdout
//   replay  reads that JSON on stdin and replays it on the (restored) database
const usage = "usage: node src/tombstones.ts export | replay < tombstones.json";
const command = process.argv[2];
if (command !== "export" && command !== "replay") {
  process.stderr.write(`${usage}\n`);
  process.exit(64);
}
const { env } = loadEnvOrExit(z.object({ AUTH_DATABASE_URL: ZAuthEnv.shape.AUTH_DATABASE_URL }), {
  service: "auth tombstones",
});
const store = createStore(env.AUTH_DATABASE_URL);
try {
  if (command === "export") {
    process.stdout.write(`${await exportTombstones(store)}\n`);
  } else {
    const result = await replayTombstoneJson(store, await text(process.stdin), new Date());
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
} finally {
  await store.close();
}
