// Readings of one device are judged and recorded one after another, in arrival order, even when many readings are
// in flight: a reading's jump and flat-line checks read the history its predecessors add once their verdicts are
// recorded (device-history.ts), and with group commit (ledger/record-batch.ts) that is a turn of the event loop
// later. Readings of different devices run concurrently, so their verdicts share ledger commits.
// The lane is the MQTT topic: a reading is judged against the history of the device its topic names, and one
// signed by another device is rejected (topic_mismatch) before any history is read.
const ignore = () => {};

export class IngestLanes {
  readonly #tails = new Map<string, Promise<void>>();

  /** Run `task` after every task queued before it on `lane` has settled. */
  run<T>(lane: string, task: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(lane);
    const result = before ? before.then(task) : task();
    const tail = result.then(ignore, ignore);
    this.#tails.set(lane, tail);
    void tail.then(() => {
      if (this.#tails.get(lane) === tail) this.#tails.delete(lane);
    });
    return result;
  }

  /** Lanes with a task queued or running. */
  get busy(): number {
    return this.#tails.size;
  }
}
