// Generated from schemas/billing-events by `platform-contracts types`; do not edit.

import type { InvoiceIssued } from "./InvoiceIssued.v1";
import type { InvoicePaid } from "./InvoicePaid.v1";
import type { PaymentFailed } from "./PaymentFailed.v1";
import type { PlanPublished } from "./PlanPublished.v1";
import type { SubscriptionCanceled } from "./SubscriptionCanceled.v1";
import type { SubscriptionCreated } from "./SubscriptionCreated.v1";
import type { SubscriptionDowngraded } from "./SubscriptionDowngraded.v1";
import type { SubscriptionReactivated } from "./SubscriptionReactivated.v1";
import type { SubscriptionRenewed } from "./SubscriptionRenewed.v1";
import type { SubscriptionSuspended } from "./SubscriptionSuspended.v1";
import type { SubscriptionUpgraded } from "./SubscriptionUpgraded.v1";
import type { TrialEnded } from "./TrialEnded.v1";
import type { TrialStarted } from "./TrialStarted.v1";

export type {
  InvoiceIssued,
  InvoicePaid,
  PaymentFailed,
  PlanPublished,
  SubscriptionCanceled,
  SubscriptionCreated,
  SubscriptionDowngraded,
  SubscriptionReactivated,
  SubscriptionRenewed,
  SubscriptionSuspended,
  SubscriptionUpgraded,
  TrialEnded,
  TrialStarted,
};

/** The event types of billing.events: each record's Avro full name, which is also the event-type header. */
export const BillingEvent = {
  InvoiceIssued: "platform.billing.InvoiceIssued",
  InvoicePaid: "platform.billing.InvoicePaid",
  PaymentFailed: "platform.billing.PaymentFailed",
  PlanPublished: "platform.billing.PlanPublished",
  SubscriptionCanceled: "platform.billing.SubscriptionCanceled",
  SubscriptionCreated: "platform.billing.SubscriptionCreated",
  SubscriptionDowngraded: "platform.billing.SubscriptionDowngraded",
  SubscriptionReactivated: "platform.billing.SubscriptionReactivated",
  SubscriptionRenewed: "platform.billing.SubscriptionRenewed",
  SubscriptionSuspended: "platform.billing.SubscriptionSuspended",
  SubscriptionUpgraded: "platform.billing.SubscriptionUpgraded",
  TrialEnded: "platform.billing.TrialEnded",
  TrialStarted: "platform.billing.TrialStarted",
} as const;

export type BillingEventType = (typeof BillingEvent)[keyof typeof BillingEvent];

/** The payload of each billing.events event type, as its latest version (the reader schema services decode with). */
export interface BillingPayloads {
  "platform.billing.InvoiceIssued": InvoiceIssued;
  "platform.billing.InvoicePaid": InvoicePaid;
  "platform.billing.PaymentFailed": PaymentFailed;
  "platform.billing.PlanPublished": PlanPublished;
  "platform.billing.SubscriptionCanceled": SubscriptionCanceled;
  "platform.billing.SubscriptionCreated": SubscriptionCreated;
  "platform.billing.SubscriptionDowngraded": SubscriptionDowngraded;
  "platform.billing.SubscriptionReactivated": SubscriptionReactivated;
  "platform.billing.SubscriptionRenewed": SubscriptionRenewed;
  "platform.billing.SubscriptionSuspended": SubscriptionSuspended;
  "platform.billing.SubscriptionUpgraded": SubscriptionUpgraded;
  "platform.billing.TrialEnded": TrialEnded;
  "platform.billing.TrialStarted": TrialStarted;
}
