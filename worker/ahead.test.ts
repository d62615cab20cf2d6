import { describe, expect, it } from "vitest";
import { createWorkAhead, type Turn } from "./ahead";

/** Lets every settled promise's callbacks run. */
const flush = () => new Promise((r) => setImmediate(r));

/** A remote call the test answers by hand. */
function heldCall() {
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  let sent = false;
  return {
    send: async () => {
      sent = true;
      await answered;
      return "answer";
    },
    answer: () => answer(),
    get sent() {
      return sent;
    },
  };
}

describe("createWorkAhead", () => {
  it("lets at most `concurrency` jobs do CPU work, first come, first served", async () => {
    const ahead = createWorkAhead(2);
    const started: string[] = [];
    const turns = new Map<string, Turn>();
    for (const name of ["a", "b", "c", "d"]) void ahead.begin().then((turn) => (started.push(name), turns.set(name, turn)));
    await flush();
    expect(started).toEqual(["a", "b"]);
    // Jobs that end without a call (a photo analysed already) give their turn back.
    turns.get("a")!.release();
    turns.get("a")!.release();
    await flush();
    expect(started).toEqual(["a", "b", "c"]);
    turns.get("b")!.release();
    await flush();
    expect(started).toEqual(["a", "b", "c", "d"]);
  });

  it("holds calls in flight to `concurrency` and sends a waiting one as soon as a slot frees", async () => {
    const ahead = createWorkAhead(1);
    const [a, b] = [heldCall(), heldCall()];
    const first = await ahead.begin();
    const answerA = first.call(a.send);
    first.release();
    const second = await ahead.begin(); // worked ahead while a's call is out
    const answerB = second.call(b.send);
    second.release();
    await flush();
    expect([a.sent, b.sent]).toEqual([true, false]);
    a.answer();
    expect(await answerA).toBe("answer");
    await flush();
    expect(b.sent).toBe(true);
    b.answer();
    expect(await answerB).toBe("answer");
  });

  it("starts a job that would only wait for a call slot once no other is still on its way to its call", async () => {
    const ahead = createWorkAhead(2);
    const started: string[] = [];
    const turns = new Map<string, Turn>();
    for (const name of ["a", "b", "c"]) void ahead.begin().then((turn) => (started.push(name), turns.set(name, turn)));
    await flush();
    const a = heldCall();
    void turns.get("a")!.call(a.send);
    turns.get("a")!.release();
    await flush();
    // A CPU slot is free, but b is still before its call and would take the last call slot:
    // c waits rather than slow b's call down.
    expect(started).toEqual(["a", "b"]);
    void turns.get("b")!.call(heldCall().send);
    await flush();
    expect(started).toEqual(["a", "b", "c"]);
  });

  it("follows a changed concurrency at once", async () => {
    const ahead = createWorkAhead(1);
    const started: string[] = [];
    for (const name of ["a", "b", "c"]) void ahead.begin().then(() => started.push(name));
    await flush();
    expect(started).toEqual(["a"]);
    ahead.concurrency = 3;
    await flush();
    expect(started).toEqual(["a", "b", "c"]);
    expect(ahead.concurrency).toBe(3);
  });
});
