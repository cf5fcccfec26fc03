import { addDays } from "./periods";

/**
 * What happens after an invoice's payment fails (seed 001): the subscription is past due at once, the
 * charge is retried after 3 days and once more before day 7, and at 7 days overdue the subscription
 * is suspended; paying the invoice at any point reactivates it. Each step is an event.
 */
export interface DunningPolicy {
  /** Days after the first failure at which the payment is tried again, ascending. */
  retry_after_days: number[];
  /** Days after the first failure at which an unpaid subscription is suspended. */
  suspend_after_days: number;
}

export const DEFAULT_DUNNING: DunningPolicy = { retry_after_days: [3, 6], suspend_after_days: 7 };

export type DunningStep = { kind: "retry"; attempt: number; at: Date } | { kind: "suspend"; at: Date };

export function assertValidPolicy(policy: DunningPolicy): DunningPolicy {
  const days = policy.retry_after_days;
  const ascending = days.every(
    (day, i) => Number.isInteger(day) && day > 0 && (i === 0 || day > (days[i - 1] ?? 0)),
  );
  if (!ascending) throw new RangeError("retry_after_days must be whole days, ascending, after the failure");
  if (!Number.isInteger(policy.suspend_after_days) || policy.suspend_after_days <= (days.at(-1) ?? 0))
    throw new RangeError("suspension must come after the last retry");
  return policy;
}

/** Every step of the schedule for an invoice first refused at `firstFailureAt`, in time order. */
export function dunningSchedule(policy: DunningPolicy, firstFailureAt: Date): DunningStep[] {
  return [
    ...policy.retry_after_days.map((days, i) => ({
      kind: "retry" as const,
      attempt: i + 2,
      at: addDays(firstFailureAt, days),
    })),
    { kind: "suspend" as const, at: addDays(firstFailureAt, policy.suspend_after_days) },
  ];
}

/** The next step after `done` steps have run, or null when the schedule is over. */
export function nextDunningStep(
  policy: DunningPolicy,
  firstFailureAt: Date,
  done: number,
): DunningStep | null {
  return dunningSchedule(policy, firstFailureAt)[done] ?? null;
}
