/** Subprocess for store_test.ts: writes ever-increasing documents until killed. */
import { FileStateStore } from "../../src/state/store.ts";

const store = new FileStateStore(Deno.args[0]);
const payload = "x".repeat(200_000);
for (let counter = 1;; counter++) {
  await store.write("doc", { counter, payload, check: counter * 7 });
  if (counter === 1) console.log("ready");
}
