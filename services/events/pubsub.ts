// A PubSub over Postgres LISTEN/NOTIFY with the shape type-graphql's `pubSub` option takes
// (`publish(topic, payload)`, `subscribe(topic)` → AsyncIterable). Topics are `run:<runId>`.
// Cross-process publishing happens in appendRunEvent (pg_notify inside the writer's transaction);
// `publish` here only fans out locally.
import { EventEmitter } from 'node:events';
import type { NotificationSource } from './notifications.ts';
import { parseRevocation, parseSignOut, revokedKeyTopic, signedOutSessionTopic, type SignOutNotice } from './revocations.ts';
import { RUN_EVENTS_CHANNEL, type RunEventNotice } from './types.ts';

export const runTopic = (runId: string): string => `run:${runId}`;
/** Topic published when notifications may have been lost (listener reconnected). */
export const GAP_TOPIC = 'gap';
const SIGN_OUT_EVENT = Symbol('sign-out');

export class RunEventPubSub {
  private readonly emitter = new EventEmitter();
  private stopListening: (() => Promise<void>) | null = null;

  private constructor() {
    this.emitter.setMaxListeners(0);
  }

  static async start(source: NotificationSource): Promise<RunEventPubSub> {
    const pubsub = new RunEventPubSub();
    pubsub.stopListening = await source.listen(
      RUN_EVENTS_CHANNEL,
      (payload) => {
        const notice = parseNotice(payload);
        if (notice) pubsub.publish(runTopic(notice.runId), notice);
        const revokedKey = notice ? null : parseRevocation(payload);
        if (revokedKey) pubsub.publish(revokedKeyTopic(revokedKey), null);
        const signOut = notice || revokedKey ? null : parseSignOut(payload);
        if (signOut) {
          pubsub.emitter.emit(SIGN_OUT_EVENT, signOut);
          pubsub.publish(signedOutSessionTopic(signOut.nonce), null);
        }
      },
      () => pubsub.publish(GAP_TOPIC, null),
    );
    return pubsub;
  }

  publish(topic: string, payload: RunEventNotice | null): void {
    this.emitter.emit(topic, payload);
  }

  /** Calls `listener` for every console session signed out in any process; returns the unsubscribe function. */
  onSignOut(listener: (notice: SignOutNotice) => void): () => void {
    this.emitter.on(SIGN_OUT_EVENT, listener);
    return () => this.emitter.off(SIGN_OUT_EVENT, listener);
  }

  /** Callback form used by the event hub; returns the unsubscribe function. */
  on(topic: string, listener: (payload: RunEventNotice | null) => void): () => void {
    this.emitter.on(topic, listener);
    return () => this.emitter.off(topic, listener);
  }

  /** type-graphql compatible: an async iterable of the topic's payloads until `return()`. */
  subscribe(topic: string): AsyncIterableIterator<RunEventNotice | null> {
    const queue: (RunEventNotice | null)[] = [];
    let wake: (() => void) | null = null;
    let done = false;
    const off = this.on(topic, (payload) => {
      queue.push(payload);
      wake?.();
    });
    const iterator: AsyncIterableIterator<RunEventNotice | null> = {
      async next() {
        while (!done && queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        if (done) return { done: true, value: undefined };
        return { done: false, value: queue.shift()! };
      },
      async return() {
        done = true;
        off();
        wake?.();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
    await this.stopListening?.();
  }
}

function parseNotice(payload: string): RunEventNotice | null {
  try {
    const value = JSON.parse(payload) as Partial<RunEventNotice>;
    if (typeof value.orgId === 'string' && typeof value.runId === 'string' && typeof value.seq === 'number') {
      return { orgId: value.orgId, runId: value.runId, seq: value.seq };
    }
  } catch {
    // Not ours: ignore.
  }
  return null;
}
