// Generated from schemas/billing-events by `platform-contracts types`; do not edit.

import type { BillingCycleChanged } from "./BillingCycleChanged.v1";
import type { CouponDefined } from "./CouponDefined.v1";
import type { CreditNoteIssued } from "./CreditNoteIssued.v2";
import type { DiscountApplied } from "./DiscountApplied.v1";
import type { DiscountRedeemed } from "./DiscountRedeemed.v1";
import type { DiscountRemoved } from "./DiscountRemoved.v1";
import type { DowngradeCanceled } from "./DowngradeCanceled.v1";
import type { DowngradeScheduled } from "./DowngradeScheduled.v1";
import type { InvoiceDrafted } from "./InvoiceDrafted.v1";
import type { InvoiceIssued } from "./InvoiceIssued.v3";
import type { InvoiceMarkedUncollectible } from "./InvoiceMarkedUncollectible.v1";
import type { InvoiceNumberAssigned } from "./InvoiceNumberAssigned.v1";
import type { InvoicePaid } from "./InvoicePaid.v2";
import type { PaymentFailed } from "./PaymentFailed.v2";
import type { PaymentMethodAttached } from "./PaymentMethodAttached.v1";
import type { PlanPublished } from "./PlanPublished.v2";
import type { RefundFailed } from "./RefundFailed.v1";
import type { RefundIssued } from "./RefundIssued.v2";
import type { RefundRequested } from "./RefundRequested.v1";
import type { SubscriptionCanceled } from "./SubscriptionCanceled.v1";
import type { SubscriptionCreated } from "./SubscriptionCreated.v1";
import type { SubscriptionDowngraded } from "./SubscriptionDowngraded.v1";
import type { SubscriptionEnded } from "./SubscriptionEnded.v1";
import type { SubscriptionPastDue } from "./SubscriptionPastDue.v1";
import type { SubscriptionReactivated } from "./SubscriptionReactivated.v1";
import type { SubscriptionRenewed } from "./SubscriptionRenewed.v1";
import type { SubscriptionSuspended } from "./SubscriptionSuspended.v1";
import type { SubscriptionUpgraded } from "./SubscriptionUpgraded.v1";
import type { TestClockAdvanced } from "./TestClockAdvanced.v1";
import type { TestClockAttached } from "./TestClockAttached.v1";
import type { TestClockCreated } from "./TestClockCreated.v1";
import type { TestClockDeleted } from "./TestClockDeleted.v1";
import type { TrialEnded } from "./TrialEnded.v1";
import type { TrialStarted } from "./TrialStarted.v1";
import type { TrialWillEnd } from "./TrialWillEnd.v1";
import type { UsageAdjustmentRecorded } from "./UsageAdjustmentRecorded.v1";

export type {
  BillingCycleChanged,
  CouponDefined,
  CreditNoteIssued,
  DiscountApplied,
  DiscountRedeemed,
  DiscountRemoved,
  DowngradeCanceled,
  DowngradeScheduled,
  InvoiceDrafted,
  InvoiceIssued,
  InvoiceMarkedUncollectible,
  InvoiceNumberAssigned,
  InvoicePaid,
  PaymentFailed,
  PaymentMethodAttached,
  PlanPublished,
  RefundFailed,
  RefundIssued,
  RefundRequested,
  SubscriptionCanceled,
  SubscriptionCreated,
  SubscriptionDowngraded,
  SubscriptionEnded,
  SubscriptionPastDue,
  SubscriptionReactivated,
  SubscriptionRenewed,
  SubscriptionSuspended,
  SubscriptionUpgraded,
  TestClockAdvanced,
  TestClockAttached,
  TestClockCreated,
  TestClockDeleted,
  TrialEnded,
  TrialStarted,
  TrialWillEnd,
  UsageAdjustmentRecorded,
};

/** The event types of billing.events: each record's Avro full name, which is also the event-type header. */
export const BillingEvent = {
  BillingCycleChanged: "platform.billing.BillingCycleChanged",
  CouponDefined: "platform.billing.CouponDefined",
  CreditNoteIssued: "platform.billing.CreditNoteIssued",
  DiscountApplied: "platform.billing.DiscountApplied",
  DiscountRedeemed: "platform.billing.DiscountRedeemed",
  DiscountRemoved: "platform.billing.DiscountRemoved",
  DowngradeCanceled: "platform.billing.DowngradeCanceled",
  DowngradeScheduled: "platform.billing.DowngradeScheduled",
  InvoiceDrafted: "platform.billing.InvoiceDrafted",
  InvoiceIssued: "platform.billing.InvoiceIssued",
  InvoiceMarkedUncollectible: "platform.billing.InvoiceMarkedUncollectible",
  InvoiceNumberAssigned: "platform.billing.InvoiceNumberAssigned",
  InvoicePaid: "platform.billing.InvoicePaid",
  PaymentFailed: "platform.billing.PaymentFailed",
  PaymentMethodAttached: "platform.billing.PaymentMethodAttached",
  PlanPublished: "platform.billing.PlanPublished",
  RefundFailed: "platform.billing.RefundFailed",
  RefundIssued: "platform.billing.RefundIssued",
  RefundRequested: "platform.billing.RefundRequested",
  SubscriptionCanceled: "platform.billing.SubscriptionCanceled",
  SubscriptionCreated: "platform.billing.SubscriptionCreated",
  SubscriptionDowngraded: "platform.billing.SubscriptionDowngraded",
  SubscriptionEnded: "platform.billing.SubscriptionEnded",
  SubscriptionPastDue: "platform.billing.SubscriptionPastDue",
  SubscriptionReactivated: "platform.billing.SubscriptionReactivated",
  SubscriptionRenewed: "platform.billing.SubscriptionRenewed",
  SubscriptionSuspended: "platform.billing.SubscriptionSuspended",
  SubscriptionUpgraded: "platform.billing.SubscriptionUpgraded",
  TestClockAdvanced: "platform.billing.TestClockAdvanced",
  TestClockAttached: "platform.billing.TestClockAttached",
  TestClockCreated: "platform.billing.TestClockCreated",
  TestClockDeleted: "platform.billing.TestClockDeleted",
  TrialEnded: "platform.billing.TrialEnded",
  TrialStarted: "platform.billing.TrialStarted",
  TrialWillEnd: "platform.billing.TrialWillEnd",
  UsageAdjustmentRecorded: "platform.billing.UsageAdjustmentRecorded",
} as const;

export type BillingEventType = (typeof BillingEvent)[keyof typeof BillingEvent];

/** The payload of each billing.events event type, as its latest version (the reader schema services decode with). */
export interface BillingPayloads {
  "platform.billing.BillingCycleChanged": BillingCycleChanged;
  "platform.billing.CouponDefined": CouponDefined;
  "platform.billing.CreditNoteIssued": CreditNoteIssued;
  "platform.billing.DiscountApplied": DiscountApplied;
  "platform.billing.DiscountRedeemed": DiscountRedeemed;
  "platform.billing.DiscountRemoved": DiscountRemoved;
  "platform.billing.DowngradeCanceled": DowngradeCanceled;
  "platform.billing.DowngradeScheduled": DowngradeScheduled;
  "platform.billing.InvoiceDrafted": InvoiceDrafted;
  "platform.billing.InvoiceIssued": InvoiceIssued;
  "platform.billing.InvoiceMarkedUncollectible": InvoiceMarkedUncollectible;
  "platform.billing.InvoiceNumberAssigned": InvoiceNumberAssigned;
  "platform.billing.InvoicePaid": InvoicePaid;
  "platform.billing.PaymentFailed": PaymentFailed;
  "platform.billing.PaymentMethodAttached": PaymentMethodAttached;
  "platform.billing.PlanPublished": PlanPublished;
  "platform.billing.RefundFailed": RefundFailed;
  "platform.billing.RefundIssued": RefundIssued;
  "platform.billing.RefundRequested": RefundRequested;
  "platform.billing.SubscriptionCanceled": SubscriptionCanceled;
  "platform.billing.SubscriptionCreated": SubscriptionCreated;
  "platform.billing.SubscriptionDowngraded": SubscriptionDowngraded;
  "platform.billing.SubscriptionEnded": SubscriptionEnded;
  "platform.billing.SubscriptionPastDue": SubscriptionPastDue;
  "platform.billing.SubscriptionReactivated": SubscriptionReactivated;
  "platform.billing.SubscriptionRenewed": SubscriptionRenewed;
  "platform.billing.SubscriptionSuspended": SubscriptionSuspended;
  "platform.billing.SubscriptionUpgraded": SubscriptionUpgraded;
  "platform.billing.TestClockAdvanced": TestClockAdvanced;
  "platform.billing.TestClockAttached": TestClockAttached;
  "platform.billing.TestClockCreated": TestClockCreated;
  "platform.billing.TestClockDeleted": TestClockDeleted;
  "platform.billing.TrialEnded": TrialEnded;
  "platform.billing.TrialStarted": TrialStarted;
  "platform.billing.TrialWillEnd": TrialWillEnd;
  "platform.billing.UsageAdjustmentRecorded": UsageAdjustmentRecorded;
}
