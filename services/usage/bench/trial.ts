import { randomBytes } from "node:crypto";
import { BillingEvent } from "@platform/contracts";
import { DAY, planSnapshot } from "../test/support/harness";

/** The test harness's `publish`, or the one a bench builds with testEventPublisher around its own process. */
type PublishBilling = (
  topic: "billing",
  type: string,
  aggregateId: string,
  data: Record<string, unknown>,
) => Promise<void>;

/**
 * Plays billing for a bench: a new organization whose 14-day trial on `planId` with `limits` starts at
 * `start`. Answers its account id; the caller waits for usage to learn of the period its own way.
 */
export async function startTrial(
  publish: PublishBilling,
  start: number,
  limits: Record<string, number>,
  planId?: string,
): Promise<string> {
  const accountId = `acc_${randomBytes(8).toString("hex")}`;
  const subscriptionId = `sub_${randomBytes(8).toString("hex")}`;
  await publish("billing", BillingEvent.TrialStarted, subscriptionId, {
    account_id: accountId,
    subscription_id: subscriptionId,
    subscription_status: "trialing",
    current_period_start: start,
    current_period_end: start + 14 * DAY,
    mrr_cents: 0,
    plan: planSnapshot(limits, planId),
    trial_end: start + 14 * DAY,
    trial_days: 14,
  });
  return accountId;
}
