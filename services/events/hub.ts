// Fans stored run events out to subscribers. One feed per run and process reads new rows ONCE per
// wave of notifications and hands them to every local subscriber, each of which keeps its own
// cursor; a subscriber that joins with an older cursor first gets the stored history (replay), so
// a client that reconnects with its last cursor loses nothing and sees every event once, in order.
import type { RunEventPubSub } from './pubsub.ts';
import { GAP_TOPIC, runTopic } from './pubsub.ts';
import { revokedKeyTopic, signedOutSessionTopic } from './revocations.ts';
import { TERMINAL_RUN_EVENTS, type RunEvent } from './types.ts';

/** Reads stored events of a run after a sequence number (inside the run's tenant). */
export type RunEventReader = (orgId: string, runId: string, afterSeq: number, limit: number) => Promise<RunEvent[]>;

interface Subscriber {
  /** Highest seq handed to this subscriber's queue. */
  delivered: number;
  queue: RunEvent[];
  wake: (() => void) | null;
  failure: Error | null;
}

interface Feed {
  orgId: string;
  runId: string;
  subscribers: Set<Subscriber>;
  fetching: boolean;
  dirty: boolean;
  stop: () => void;
}

const PAGE = 500;

export class RunEventHub {
  private readonly feeds = new Map<string, Feed>();
  private readonly offGap: () => void;

  constructor(
    private readonly pubsub: RunEventPubSub,
    private readonly read: RunEventReader,
    /** Safety net against lost notifications: re-read active runs this often. */
    private readonly pollMs = 2000,
  ) {
    this.offGap = pubsub.on(GAP_TOPIC, () => {
      for (const feed of this.feeds.values()) this.pump(feed);
    });
  }

  /**
   * Stored events after `afterSeq`, then live ones; ends after a terminal event. A hand-written
   * iterator (not an async generator) so that `return()` from a client that unsubscribes takes
   * effect at once, even while waiting for the next event.
   */
  subscribe(orgId: string, runId: string, afterSeq: number): AsyncIterableIterator<RunEvent> {
    const feed = this.feedFor(orgId, runId);
    const subscriber: Subscriber = { delivered: afterSeq, queue: [], wake: null, failure: null };
    feed.subscribers.add(subscriber);
    this.pump(feed);
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      feed.subscribers.delete(subscriber);
      subscriber.wake?.();
      if (feed.subscribers.size === 0 && this.feeds.get(key(orgId, runId)) === feed) {
        feed.stop();
        this.feeds.delete(key(orgId, runId));
      }
    };
    const iterator: AsyncIterableIterator<RunEvent> = {
      next: async () => {
        for (;;) {
          if (finished) return { done: true, value: undefined };
          if (subscriber.failure) {
            finish();
            throw subscriber.failure;
          }
          const event = subscriber.queue.shift();
          if (event) {
            // Deliver the terminal event, then end on the following call.
            if (TERMINAL_RUN_EVENTS.has(event.type)) finish();
            return { done: false, value: event };
          }
          await new Promise<void>((resolve) => (subscriber.wake = resolve));
          subscriber.wake = null;
        }
      },
      return: async () => {
        finish();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /**
   * Calls `onRevoked` when key `keyId` is revoked in any process, and `onGap` when notices may
   * have been lost (the caller re-checks the key then). Returns the function that stops watching.
   */
  watchKey(keyId: string, onRevoked: () => void, onGap: () => void): () => void {
    const offRevoked = this.pubsub.on(revokedKeyTopic(keyId), () => onRevoked());
    const offGap = this.pubsub.on(GAP_TOPIC, () => onGap());
    return () => {
      offRevoked();
      offGap();
    };
  }

  /** Calls `onSignedOut` when the console session with this nonce is signed out in any process. */
  watchSession(nonce: string, onSignedOut: () => void): () => void {
    return this.pubsub.on(signedOutSessionTopic(nonce), () => onSignedOut());
  }

  /** Calls `listener` for every console session signed out in any process. */
  onSignOut(listener: Parameters<RunEventPubSub['onSignOut']>[0]): () => void {
    return this.pubsub.onSignOut(listener);
  }

  /** Calls `listener` when notices may have been lost (the listener reconnected). */
  onGap(listener: () => void): () => void {
    return this.pubsub.on(GAP_TOPIC, () => listener());
  }

  close(): void {
    this.offGap();
    for (const feed of this.feeds.values()) {
      feed.stop();
      for (const subscriber of feed.subscribers) {
        subscriber.failure = new Error('server is shutting down');
        subscriber.wake?.();
      }
    }
    this.feeds.clear();
  }

  private feedFor(orgId: string, runId: string): Feed {
    const existing = this.feeds.get(key(orgId, runId));
    if (existing) return existing;
    const feed: Feed = { orgId, runId, subscribers: new Set(), fetching: false, dirty: false, stop: () => undefined };
    const off = this.pubsub.on(runTopic(runId), (notice) => {
      if (notice && notice.orgId === orgId) this.pump(feed);
    });
    const timer = setInterval(() => this.pump(feed), this.pollMs);
    timer.unref();
    feed.stop = () => {
      off();
      clearInterval(timer);
    };
    this.feeds.set(key(orgId, runId), feed);
    return feed;
  }

  /** Reads everything after the slowest subscriber and distributes it; coalesces overlapping calls. */
  private pump(feed: Feed): void {
    if (feed.fetching) {
      feed.dirty = true;
      return;
    }
    feed.fetching = true;
    void (async () => {
      try {
        let again = true;
        while (again && feed.subscribers.size > 0) {
          feed.dirty = false;
          let from = Infinity;
          for (const s of feed.subscribers) from = Math.min(from, s.delivered);
          const events = await this.read(feed.orgId, feed.runId, from, PAGE);
          for (const s of feed.subscribers) {
            // Only contiguous continuations: a subscriber that joined during the read (cursor
            // below `from`) must not jump ahead; the next round reads from its cursor.
            let added = false;
            for (const event of events) {
              if (event.seq === s.delivered + 1) {
                s.queue.push(event);
                s.delivered = event.seq;
                added = true;
              }
            }
            if (added) s.wake?.();
          }
          again = feed.dirty || events.length === PAGE;
        }
      } catch (error) {
        for (const s of feed.subscribers) {
          s.failure = error as Error;
          s.wake?.();
        }
      } finally {
        feed.fetching = false;
      }
    })();
  }
}

const key = (orgId: string, runId: string): string => `${orgId}:${runId}`;
