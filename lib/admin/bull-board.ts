// Bull Board (the queue dashboard) as a fetch handler for the Next route at /admin/queues:
// the hono adapter, hono's fetch bridge, and @hono/node-server's static files. One board
// per process, listing every queue of the job catalogue. It has no auth of its own; the
// route gates it to admins.
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";
import { handle } from "hono/vercel";
import { getQueue, queueNames } from "@/lib/jobs";
import { singleton } from "@/lib/singleton";

export const BULL_BOARD_PATH = "/admin/queues";

type FetchHandler = (request: Request) => Response | Promise<Response>;

export function bullBoard(): FetchHandler {
  return singleton("bull-board", build);
}

function build(): FetchHandler {
  const serverAdapter = new HonoAdapter(serveStatic);
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: queueNames.map((name) => new BullMQAdapter(getQueue(name))),
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: "Framecast queues",
        hideDocsLink: true,
        miscLinks: [
          { text: "Overview", url: "/admin" },
          { text: "Back to Framecast", url: "/" },
        ],
      },
    },
  });
  const app = new Hono();
  app.route(BULL_BOARD_PATH, serverAdapter.registerPlugin());
  return handle(app);
}
