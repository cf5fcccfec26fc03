/**
 * An organization's lifecycle: created → onboarded → active ⇄ suspended, and closed from any of them.
 * Closed is final: no transition leaves it, and nothing writes into a closed organization any more.
 */
export type LifecycleTransition = "onboarded" | "active" | "suspended" | "reactivated" | "closed";

export const CLOSED = "closed";

const FROM: Record<LifecycleTransition, readonly string[]> = {
  onboarded: ["created"],
  active: ["created", "onboarded"],
  suspended: ["created", "onboarded", "active"],
  reactivated: ["suspended"],
  closed: ["created", "onboarded", "active", "suspended"],
};

/** Whether an organization in `status` may take the transition; one it is already past is refused. */
export function canTransition(status: string, to: LifecycleTransition): boolean {
  return FROM[to].includes(status);
}

/** The status a transition leads to ("reactivated" is the way back to active). */
export function statusAfter(to: LifecycleTransition): string {
  return to === "reactivated" ? "active" : to;
}

/** Whether an organization in `status` takes changes: every status but closed. */
export function acceptsWrites(status: string): boolean {
  return status !== CLOSED;
}
