/** How often a running batch asks kafkajs for a heartbeat; kafkajs sends at most one per heartbeatInterval. */
const EVERY_MS = 1_000;

/**
 * Keeps this member in its consumer group while a batch is processed. kafkajs heartbeats only when
 * asked (between batches, or through eachBatch's `heartbeat()`), so a handler that awaits longer
 * than the session timeout would get the member evicted and its partition, with the event still
 * running here, handed to another member: the event would run twice and per-key order would break.
 * A timer asks while the batch runs (it fires whenever a handler awaits I/O); the batch loop asks
 * too, between events, for the case of many fast handlers that never leave the microtask queue.
 */
export class BatchHeartbeat {
  /** Set when kafkajs refused a heartbeat: the group is rebalancing, stop and rejoin. */
  failure: unknown;
  private last = Date.now();
  private inFlight: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly send: () => Promise<void>) {
    this.timer = setInterval(() => void this.beatIfDue(), EVERY_MS);
    this.timer.unref();
  }

  get due(): boolean {
    return Date.now() - this.last >= EVERY_MS;
  }

  /** Resolves once a due heartbeat has been answered; never rejects (see `failure`). */
  beatIfDue(): Promise<void> {
    if (this.failure !== undefined || !this.due) return Promise.resolve();
    this.inFlight ??= this.send().then(
      () => {
        this.last = Date.now();
        this.inFlight = undefined;
      },
      (error: unknown) => {
        this.failure = error;
        this.inFlight = undefined;
      },
    );
    return this.inFlight;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
