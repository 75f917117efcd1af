/** When a queued transfer may run: DelaySeconds, ScheduleDownload windows and their modes. */
import assert from "node:assert/strict";
import type { TransferAdapter } from "../../src/datamodel/transfer_adapter.ts";
import type {
  QueuedTransfer,
  TransferWindow,
} from "../../src/state/transfers.ts";
import { RETRY_WAIT_MS, windowDecision } from "../../src/transfer/windows.ts";

const T0 = Date.UTC(2026, 11, 1);
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const entry = (
  windows?: TransferWindow[],
  more: Partial<QueuedTransfer> = {},
): QueuedTransfer => ({
  id: "t",
  method: windows ? "ScheduleDownload" : "Download",
  commandKey: "k",
  fileType: "1 Firmware Upgrade Image",
  url: "https://f/x",
  username: "",
  password: "",
  fileSize: 0,
  targetFileName: "",
  notBefore: windows ? windows[0].startAt : at(30),
  state: 1,
  attempts: 0,
  ...(windows ? { windows } : {}),
  ...more,
});
const window = (
  start: number,
  end: number,
  mode: string,
  maxRetries = 0,
): TransferWindow => ({
  startAt: at(start),
  endAt: at(end),
  mode,
  userMessage: "Update tonight?",
  maxRetries,
});
const device = (over: Partial<TransferAdapter>): TransferAdapter => ({
  freeSpace: () => Promise.resolve(undefined),
  applyDownload: () => Promise.resolve({ reboot: false }),
  produceUpload: () => Promise.reject(new Error("none")),
  ...over,
});

Deno.test("a Download waits for its DelaySeconds, then runs once (no retry)", async () => {
  assert.deepStrictEqual(await windowDecision(entry(), T0, undefined), {
    kind: "wait",
    until: T0 + 30_000,
  });
  assert.deepStrictEqual(
    await windowDecision(entry(), T0 + 30_000, undefined),
    { kind: "run" },
  );
});

Deno.test("windows: before the first it waits, inside it runs with retries while they fit, after the last it is 9020", async () => {
  const e = entry([
    window(60, 600, "1 At Any Time", 2),
    window(3600, 4000, "2 Immediately"),
  ]);
  assert.deepStrictEqual(await windowDecision(e, T0, undefined), {
    kind: "wait",
    until: T0 + 60_000,
  });
  assert.deepStrictEqual(await windowDecision(e, T0 + 100_000, undefined), {
    kind: "run",
    retryAt: T0 + 100_000 + RETRY_WAIT_MS,
  });
  // Retries spent: the next window is the retry.
  assert.deepStrictEqual(
    await windowDecision({ ...e, attempts: 2 }, T0 + 100_000, undefined),
    { kind: "run", retryAt: T0 + 3_600_000 },
  );
  assert.deepStrictEqual(await windowDecision(e, T0 + 1_000_000, undefined), {
    kind: "wait",
    until: T0 + 3_600_000,
  });
  const last = await windowDecision(
    { ...e, attempts: 1, lastFault: "9015 refused" },
    T0 + 5_000_000,
    undefined,
  );
  assert.equal(last.kind, "expired");
  assert.match(
    last.kind === "expired" ? last.reason : "",
    /did not succeed within its time windows \(last attempt: 9015 refused\)/,
  );
  const never = await windowDecision(e, T0 + 5_000_000, undefined);
  assert.match(
    never.kind === "expired" ? never.reason : "",
    /passed before the download could start/,
  );
});

Deno.test("3 When Idle waits for the device to be idle; 4 Confirmation Needed runs once confirmed, and asks only once per window", async () => {
  const idle = entry([window(0, 600, "3 When Idle")]);
  let busy = true;
  const d = device({ isIdle: () => Promise.resolve(!busy) });
  const waiting = await windowDecision(idle, T0 + 10_000, d);
  assert.deepStrictEqual(waiting, { kind: "wait", until: T0 + 70_000 });
  busy = false;
  assert.equal((await windowDecision(idle, T0 + 70_000, d)).kind, "run");

  const confirm = entry([
    window(0, 600, "4 Confirmation Needed"),
    window(900, 1000, "4 Confirmation Needed"),
  ]);
  const asked: string[] = [];
  let answer = false;
  const c = device({
    confirm: (message) => {
      asked.push(message);
      return Promise.resolve(answer);
    },
  });
  const declined = new Set<string>();
  assert.deepStrictEqual(
    await windowDecision(confirm, T0 + 10_000, c, declined),
    { kind: "wait", until: T0 + 900_000 },
  );
  answer = true;
  assert.equal(
    (await windowDecision(confirm, T0 + 20_000, c, declined)).kind,
    "wait",
    "not asked again in this window",
  );
  assert.equal(asked.length, 1);
  assert.equal(
    (await windowDecision(confirm, T0 + 950_000, c, declined)).kind,
    "run",
  );
  assert.deepStrictEqual(asked, ["Update tonight?", "Update tonight?"]);
  // Without a way to ask, a confirmation window never runs.
  assert.equal(
    (await windowDecision(confirm, T0 + 10_000, device({}))).kind,
    "wait",
  );
});
