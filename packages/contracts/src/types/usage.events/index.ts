// Generated from schemas/usage-events by `platform-contracts types`; do not edit.

import type { QuotaRequestDenied } from "./QuotaRequestDenied.v2";
import type { UsageAdjusted } from "./UsageAdjusted.v1";
import type { UsagePeriodClosed } from "./UsagePeriodClosed.v2";
import type { UsageRecorded } from "./UsageRecorded.v1";
import type { UsageThresholdReached } from "./UsageThresholdReached.v1";

export type {
  QuotaRequestDenied,
  UsageAdjusted,
  UsagePeriodClosed,
  UsageRecorded,
  UsageThresholdReached,
};

/** The event types of usage.events: each record's Avro full name, which is also the event-type header. */
export const UsageEvent = {
  QuotaRequestDenied: "platform.usage.QuotaRequestDenied",
  UsageAdjusted: "platform.usage.UsageAdjusted",
  UsagePeriodClosed: "platform.usage.UsagePeriodClosed",
  UsageRecorded: "platform.usage.UsageRecorded",
  UsageThresholdReached: "platform.usage.UsageThresholdReached",
} as const;

export type UsageEventType = (typeof UsageEvent)[keyof typeof UsageEvent];

/** The payload of each usage.events event type, as its latest version (the reader schema services decode with). */
export interface UsagePayloads {
  "platform.usage.QuotaRequestDenied": QuotaRequestDenied;
  "platform.usage.UsageAdjusted": UsageAdjusted;
  "platform.usage.UsagePeriodClosed": UsagePeriodClosed;
  "platform.usage.UsageRecorded": UsageRecorded;
  "platform.usage.UsageThresholdReached": UsageThresholdReached;
}
