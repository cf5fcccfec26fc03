/**
 * The onboarding checklist of seed 001 (verify email, add team members, configure settings, create
 * first project, set up billing). Nobody ticks items by hand: each is fulfilled by an event another
 * part of the platform already publishes, so the checklist cannot claim something that did not
 * happen, and replaying the event log rebuilds it.
 *
 * Progress is rounded down, so 100 % is shown only when the checklist is really complete.
 */
import { BillingEvent, IdentityEvent, TenancyEvent } from "@platform/contracts";
import { InvalidInputError } from "@platform/errors";

export const ONBOARDING_ITEMS = [
  "verify_email",
  "add_team_members",
  "configure_settings",
  "create_first_project",
  "set_up_billing",
] as const;
export type OnboardingItem = (typeof ONBOARDING_ITEMS)[number];

export const ONBOARDING_EVENT_TYPES = Object.freeze({
  emailVerified: IdentityEvent.EmailVerified,
  memberAdded: TenancyEvent.MemberAdded,
  organizationUpdated: TenancyEvent.OrganizationUpdated,
  groupCreated: TenancyEvent.GroupCreated,
  subscriptionCreated: BillingEvent.SubscriptionCreated,
  trialStarted: BillingEvent.TrialStarted,
});

export interface OnboardingProgress {
  /** In checklist order. */
  completedItems: OnboardingItem[];
  /** In checklist order. */
  pendingItems: OnboardingItem[];
  progressPercent: number;
  complete: boolean;
}

export function isOnboardingItem(value: unknown): value is OnboardingItem {
  return typeof value === "string" && (ONBOARDING_ITEMS as readonly string[]).includes(value);
}

export function progressOf(completed: Iterable<string>): OnboardingProgress {
  // A bare string is iterable (by character) and would silently count as "nothing done".
  if (
    completed === null ||
    typeof completed !== "object" ||
    typeof (completed as Partial<Iterable<string>>)[Symbol.iterator] !== "function"
  ) {
    throw new InvalidInputError("invalid_onboarding_items", "completed items must be a collection of names", {
      details: { received: completed === null ? "null" : typeof completed },
    });
  }
  const done = new Set<string>();
  for (const item of completed) if (isOnboardingItem(item)) done.add(item);
  const completedItems = ONBOARDING_ITEMS.filter((item) => done.has(item));
  const pendingItems = ONBOARDING_ITEMS.filter((item) => !done.has(item));
  return {
    completedItems,
    pendingItems,
    progressPercent: Math.floor((completedItems.length * 100) / ONBOARDING_ITEMS.length),
    complete: pendingItems.length === 0,
  };
}

// Members the organization brought in. "owner" is the founder joining their own organization at
// creation; counting it would tick "add team members" before anyone was added.
const TEAM_MEMBER_SOURCES = new Set(["invitation", "admin", "scim"]);

function malformed(eventType: string, field: string): InvalidInputError {
  return new InvalidInputError("invalid_event_payload", `${eventType} payload has no valid ${field}`, {
    details: { eventType, field },
  });
}

/** A payload field as decoded: unknown until checked, since this decides from any event's payload. */
function fieldOf(payload: object, field: string): unknown {
  return Object.getOwnPropertyDescriptor(payload, field)?.value;
}

function text(eventType: string, payload: object, field: string): string {
  const value = fieldOf(payload, field);
  if (typeof value !== "string") throw malformed(eventType, field);
  return value;
}

/**
 * The checklist item an event fulfils, or null. A relevant event whose payload lacks the fields the
 * decision needs is malformed and throws, so the consumer dead-letters it rather than skipping it
 * (which would leave the checklist stuck with no trace).
 */
export function itemFulfilledBy(eventType: string, payload: object): OnboardingItem | null {
  const relevant = (Object.values(ONBOARDING_EVENT_TYPES) as string[]).includes(eventType);
  if (!relevant) return null;
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
    throw malformed(eventType, "payload");
  }
  switch (eventType) {
    case ONBOARDING_EVENT_TYPES.emailVerified:
      return "verify_email";
    case ONBOARDING_EVENT_TYPES.memberAdded: {
      const groupType = text(eventType, payload, "group_type");
      const source = text(eventType, payload, "source");
      return groupType === "account" && TEAM_MEMBER_SOURCES.has(source) ? "add_team_members" : null;
    }
    case ONBOARDING_EVENT_TYPES.organizationUpdated: {
      const changed = fieldOf(payload, "changed_fields");
      if (!Array.isArray(changed)) throw malformed(eventType, "changed_fields");
      const touchesSettings = changed.some(
        (field) => typeof field === "string" && (field === "settings" || field.startsWith("settings.")),
      );
      return touchesSettings ? "configure_settings" : null;
    }
    case ONBOARDING_EVENT_TYPES.groupCreated:
      return text(eventType, payload, "group_type") === "project" ? "create_first_project" : null;
    case ONBOARDING_EVENT_TYPES.subscriptionCreated:
    case ONBOARDING_EVENT_TYPES.trialStarted:
      return "set_up_billing";
    default:
      return null;
  }
}
