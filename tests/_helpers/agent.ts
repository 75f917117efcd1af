/** An agent on a simulated device against a fixture ACS, with timers on a fake clock. */
import { FixtureAcs, type FixtureAcsOptions } from "../../src/acs/fixture.ts";
import { FakeClock } from "../../src/agent/clock.ts";
import {
  CwmpAgent,
  type CwmpAgentOptions,
  type LogRecord,
} from "../../src/agent/mod.ts";
import {
  MemoryStateStore,
  type RpcContext,
  SimulatedDevice,
  type Snapshot,
  type StateStore,
} from "../../mod.ts";
import {
  createRpcContext,
  type RpcContextOptions,
} from "../../src/rpc/context.ts";
import type { CpeRequestArgs } from "../../src/cwmp/methods.ts";
import { DEFAULT } from "./device.ts";

/** What {@linkcode rig} builds. */
export interface Rig {
  acs: FixtureAcs;
  agent: CwmpAgent;
  clock: FakeClock;
  store: StateStore;
  device: SimulatedDevice;
  context: RpcContext;
  logs: LogRecord[];
  stop(): Promise<void>;
}

/** Options for {@linkcode rig}. */
export interface RigOptions {
  readonly acs?: FixtureAcsOptions;
  readonly agent?: Partial<CwmpAgentOptions>;
  readonly store?: StateStore;
  /** Factory values of agent-owned parameters besides the ACS URL and CR credentials. */
  readonly defaults?: Record<string, string>;
  /** A clock to share with an earlier rig (a restart). */
  readonly clock?: FakeClock;
  /** Restore the simulated device from the store (a restart keeps its boot). */
  readonly restore?: boolean;
  readonly snapshot?: Snapshot;
  /** An ACS to reuse (a restart talks to the same one). */
  readonly existingAcs?: FixtureAcs;
  /** More options of the RPC context (a transfer policy, say). */
  readonly context?: Partial<RpcContextOptions>;
  /** Options of the simulated device (its free space, say). */
  readonly device?: { readonly freeBytes?: number };
}

/** A started fixture ACS and an agent ready to start. */
export async function rig(options: RigOptions = {}): Promise<Rig> {
  const acs = options.existingAcs ?? new FixtureAcs(options.acs ?? {});
  if (!options.existingAcs) await acs.start();
  const clock = options.clock ?? new FakeClock(Date.UTC(2026, 10, 26, 10));
  const store = options.store ?? new MemoryStateStore();
  const snapshot = options.snapshot ?? DEFAULT;
  const device = options.restore
    ? await SimulatedDevice.restore(snapshot, { store, ...options.device })
    : SimulatedDevice.fromSnapshot(snapshot, { store, ...options.device });
  const context = await createRpcContext(device, {
    defaults: {
      URL: acs.url,
      ConnectionRequestUsername: "acs",
      ConnectionRequestPassword: "cr-secret",
      ...options.defaults,
    },
    now: () => new Date(clock.now()),
    ...options.context,
  });
  const logs: LogRecord[] = [];
  const agent = new CwmpAgent({
    context,
    clock,
    random: () => 0.5,
    connectionRequest: false,
    notificationPollMs: 0,
    client: { timeoutMs: 2000 },
    log: (record) => logs.push(record),
    ...options.agent,
  });
  return {
    acs,
    agent,
    clock,
    store,
    device,
    context,
    logs,
    async stop() {
      await agent.stop();
      if (!options.existingAcs) await acs.stop();
    },
  };
}

/** A rig whose agent has started and finished its first `sessions` sessions. */
export async function startedRig(
  options: RigOptions = {},
  sessions = 1,
): Promise<Rig> {
  const r = await rig(options);
  await r.agent.start();
  await r.acs.waitForSessions(sessions);
  await r.agent.idle();
  return r;
}

/** The Inform arguments of session `i`. */
export function informOf(acs: FixtureAcs, i: number): CpeRequestArgs<"Inform"> {
  const body = acs.sessions[i].messages[0].decoded!.body;
  if (body.kind !== "request" || body.method !== "Inform") {
    throw new Error(`session ${i} did not start with an Inform`);
  }
  return body.args;
}

/** Moves the fake clock to its next timer and waits for the agent to settle. */
export async function nextTimer(r: Rig): Promise<number> {
  const at = r.clock.nextTimer;
  if (at === undefined) throw new Error("no timer is armed");
  await r.clock.advance(Math.max(0, at - r.clock.now()));
  await r.agent.idle();
  return at;
}
