/**
 * Model calls take turns on the inference thread, most urgent first. A model call holds the thread (and
 * ONNX Runtime's cores) until it returns, so two jobs whose calls interleave both get slower; taking
 * turns runs one call at a time, and the next turn goes to the job of the lowest BullMQ priority number
 * (live jobs have none, 0; batch items BATCH_PRIORITY), then to the one that asked first. A live job that
 * arrives while a batch drains waits for the one model call running, never for the batch item's rest.
 *
 * Anticipation (as in anticipatory disk scheduling, Iyer & Druschel 2001): a client that waits for its
 * answer sends its next call a few milliseconds after the last one ended, by which time a batch call has
 * taken the thread — so a live call would wait for a whole batch call every time. After a live call ends,
 * the turn is held for up to `anticipateMs` for the next live call before a batch call gets it. It costs
 * batch items at most that long per live call, and nothing when there is no live traffic.
 */
export class Turns {
  private busy = false;
  private seq = 0;
  private readonly waiting: { priority: number; seq: number; go: () => void }[] = [];
  private held: NodeJS.Timeout | undefined;
  private liveEndedAt = -Infinity;

  constructor(public anticipateMs = 0) {}

  /** Run `fn` in its turn: after the call running now, before every waiting call of a larger priority number. */
  async take<T>(priority: number, fn: () => Promise<T>): Promise<T> {
    if (this.held && priority === 0) {
      // The live call the turn was held for: it goes now.
      clearTimeout(this.held);
      this.held = undefined;
    } else if (this.busy) {
      // The turn is handed from call to call: `busy` stays set while a woken call gets going.
      await new Promise<void>((go) => this.enqueue({ priority, seq: this.seq++, go }));
    } else if (priority > 0 && performance.now() - this.liveEndedAt < this.anticipateMs) {
      // A batch call just after a live one ended: it waits out the rest of the window.
      this.busy = true;
      this.hold(this.anticipateMs - (performance.now() - this.liveEndedAt));
      await new Promise<void>((go) => this.enqueue({ priority, seq: this.seq++, go }));
    } else this.busy = true;
    try {
      return await fn();
    } finally {
      this.pass(priority);
    }
  }

  private hold(ms: number): void {
    this.held = setTimeout(() => {
      this.held = undefined;
      this.pass(1);
    }, ms);
  }

  private pass(endedPriority: number): void {
    if (endedPriority === 0) this.liveEndedAt = performance.now();
    const next = this.waiting[0];
    if (next && next.priority > 0 && endedPriority === 0 && this.anticipateMs > 0) {
      // Hold the turn for a live call that is likely on its way; then the batch call gets it.
      this.hold(this.anticipateMs);
      return;
    }
    this.waiting.shift();
    if (next) next.go();
    else this.busy = false;
  }

  /** Calls waiting for their turn. */
  get queued(): number {
    return this.waiting.length;
  }

  private enqueue(w: { priority: number; seq: number; go: () => void }) {
    let i = this.waiting.length;
    while (i > 0 && (this.waiting[i - 1]!.priority > w.priority || (this.waiting[i - 1]!.priority === w.priority && this.waiting[i - 1]!.seq > w.seq))) i--;
    this.waiting.splice(i, 0, w);
  }
}
