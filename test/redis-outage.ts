// The stack both Redis-outage fault tests (photos, vlogs) stand on: a private redis-server
// that the test stops and starts for real, an isolated schema/prefix on it, a signed-up
// user; and the teardown that puts it all away whatever state the test left it in.
import { db } from "@/lib/db";
import { closePublisher } from "@/lib/events/publish";
import { closeEventHub } from "@/lib/events/web";
import { closeQueues } from "@/lib/jobs";
import { signUp } from "./http";
import { isolate, type IsolatedEnv } from "./integration";
import { bounded, startPrivateRedis, type Child, type PrivateRedis } from "./processes";

export interface OutageStack {
  redisServer: PrivateRedis;
  iso: IsolatedEnv;
  cookie: string;
}

export async function startOutageStack(portRange: [number, number], email: string): Promise<OutageStack> {
  const redisServer = await startPrivateRedis({ portRange });
  try {
    const iso = await isolate({ REDIS_URL: redisServer.url });
    return { redisServer, iso, cookie: await signUp(email) };
  } catch (err) {
    await bounded("redis destroy", redisServer.destroy());
    throw err;
  }
}

/** Kills the worker, restarts Redis if the test left it down (so connections can close), then closes everything. */
export async function stopOutageStack(stack: Partial<OutageStack>, worker: Child | undefined): Promise<void> {
  worker?.kill("SIGKILL");
  await bounded("worker exit", worker?.exited);
  const { redisServer, iso } = stack;
  if (redisServer && !redisServer.running) await bounded("redis start", redisServer.start());
  await bounded("close queues", closeQueues());
  await bounded("close event hub", closeEventHub());
  await bounded("close publisher", closePublisher());
  await bounded("db disconnect", db().$disconnect());
  await bounded("teardown", iso?.teardown());
  await bounded("redis destroy", redisServer?.destroy());
}
