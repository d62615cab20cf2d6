// Work ahead: a queue whose jobs spend most of their time waiting on another machine (a
// photo's caption from a remote AI provider) need not leave the CPU idle meanwhile. BullMQ
// runs such a queue at twice its concurrency, and the processor keeps to the concurrency
// itself, by turns taken here: at most `concurrency` jobs doing CPU work and at most
// `concurrency` remote calls in flight. So while five photos wait on their captions the next
// five are decoded, and their calls go out the moment the first answers arrive, instead of
// after a round of decodes that could only start then.
//
// One rule keeps working ahead from slowing what it is meant to speed up: a job that could
// send its call at once (a call slot would be free for it) starts its CPU work first; a job
// that would only wait for a call slot starts when no other job is still on its way to its
// call. On 2 cores, ten decodes at once would otherwise hold back the first five calls.
// The autoscaler and the admin overview see `concurrency`, as for any other queue.

export interface WorkAhead {
  /** Jobs doing CPU work at once, and remote calls in flight at once (the queue's concurrency). */
  concurrency: number;
  /** Waits for this job's turn to do CPU work. */
  begin(): Promise<Turn>;
}

export interface Turn {
  /**
   * Sends the job's remote call in a call slot (waiting for one). Calling it says the job's
   * CPU work before the call is over: the next job may be let in.
   */
  call<T>(send: () => Promise<T>): Promise<T>;
  /** Gives the CPU slot back: only a wait (or nothing) is left. Idempotent; call it at the end too. */
  release(): void;
}

/** BullMQ's concurrency for a queue that works ahead: room for both kinds at once. */
export const AHEAD_FACTOR = 2;

export function createWorkAhead(concurrency: number): WorkAhead {
  let limit = concurrency;
  /** Jobs holding a CPU slot; of those, the ones not yet at their call; calls in flight. */
  let working = 0;
  let beforeCall = 0;
  let calling = 0;
  const waitingToWork: (() => void)[] = [];
  const waitingToCall: (() => void)[] = [];

  const mayWork = () => working < limit && (beforeCall + calling < limit || beforeCall === 0);
  const admit = () => {
    while (waitingToCall.length > 0 && calling < limit) {
      calling++;
      waitingToCall.shift()!();
    }
    while (waitingToWork.length > 0 && mayWork()) {
      working++;
      beforeCall++;
      waitingToWork.shift()!();
    }
  };

  const turn = (): Turn => {
    let atCall = false;
    let released = false;
    const reachCall = () => {
      if (atCall) return;
      atCall = true;
      if (!released) beforeCall--;
    };
    return {
      async call(send) {
        reachCall();
        await new Promise<void>((resolve) => {
          waitingToCall.push(resolve);
          admit();
        });
        try {
          return await send();
        } finally {
          calling--;
          admit();
        }
      },
      release() {
        if (released) return;
        released = true;
        working--;
        if (!atCall) beforeCall--;
        admit();
      },
    };
  };

  return {
    get concurrency() {
      return limit;
    },
    set concurrency(n: number) {
      limit = n;
      admit();
    },
    begin() {
      return new Promise((resolve) => {
        waitingToWork.push(() => resolve(turn()));
        admit();
      });
    },
  };
}
