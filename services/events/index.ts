// Run events: durable per-run timeline (table run_events) + LISTEN/NOTIFY fan-out.
export { appendRunEvent, countRunEvents, listRunEvents, UnknownRunError, type AppendRunEventInput } from './store.ts';
export { RunEventHub, type RunEventReader } from './hub.ts';
export { GAP_TOPIC, RunEventPubSub, runTopic } from './pubsub.ts';
export {
  notificationSourceFor,
  pgliteNotificationSource,
  postgresNotificationSource,
  type NotificationSource,
} from './notifications.ts';
export { announceRevokedKeys, revokedKeyTopic } from './revocations.ts';
export * from './types.ts';
