export { EventCatalog, type EventDefinition } from "./event-catalog";
export {
  type AppendRequest,
  type EventMetadata,
  EventStore,
  type NewEvent,
  type StoredEvent,
} from "./event-store";
export {
  type ProjectedEvent,
  type ProjectionHandler,
  Projector,
  type ProjectorOptions,
  payloadOf,
} from "./projector";
export { Relay, type RelayOptions } from "./relay";
export type { SqlClient, TransactionalDatabase, TransactionOptions } from "./sql";

/** The time, injectable so tests can move it (SLA timers, expiries). */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
