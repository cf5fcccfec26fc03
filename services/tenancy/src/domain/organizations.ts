import { accountClosedError } from "@platform/auth";
import type { TenancyPayloads } from "@platform/contracts";
import { ConflictError } from "@platform/errors";
import { type Decided, TenancyEvent } from "./events";
import { acceptsWrites, canTransition, type LifecycleTransition, statusAfter } from "./lifecycle";
import { type OnboardingItem, progressOf } from "./onboarding";

/**
 * The organization aggregate: profile, settings, lifecycle and onboarding checklist. Pure rules, no
 * I/O: `decide` turns a command and the state it read into events, `evolve` folds an event into the
 * state (what the inline projection writes to `organizations`).
 */
type OrganizationCreated = TenancyPayloads[typeof TenancyEvent.OrganizationCreated];
type OrganizationUpdated = TenancyPayloads[typeof TenancyEvent.OrganizationUpdated];
type OnboardingStarted = TenancyPayloads[typeof TenancyEvent.OnboardingStarted];
type OnboardingItemCompleted = TenancyPayloads[typeof TenancyEvent.OnboardingItemCompleted];
type OrganizationOnboarded = TenancyPayloads[typeof TenancyEvent.OrganizationOnboarded];
type OrganizationActivated = TenancyPayloads[typeof TenancyEvent.OrganizationActivated];
type OrganizationSuspended = TenancyPayloads[typeof TenancyEvent.OrganizationSuspended];
type OrganizationReactivated = TenancyPayloads[typeof TenancyEvent.OrganizationReactivated];
type OrganizationClosed = TenancyPayloads[typeof TenancyEvent.OrganizationClosed];

export type PostalAddress = NonNullable<OrganizationCreated["address"]>;
export type OrganizationSettings = OrganizationCreated["settings"];

/** The profile as events carry it (Avro field names; founding_date in days since 1970-01-01). */
export type Profile = Pick<
  OrganizationCreated,
  | "name"
  | "description"
  | "url"
  | "email"
  | "telephone"
  | "number_of_employees"
  | "founding_date"
  | "industry"
  | "address"
  | "settings"
>;

export interface OrganizationState {
  accountId: string;
  name: string;
  description: string | null;
  url: string | null;
  email: string | null;
  telephone: string | null;
  numberOfEmployees: number | null;
  foundingDate: Date | null;
  industry: string | null;
  address: PostalAddress | null;
  settings: OrganizationSettings;
  /** created, onboarded, active, suspended, closed */
  status: string;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  /** Checklist items in the order they were fulfilled. */
  onboardingDone: string[];
  /** The version of the organization's last event (0 before it exists). */
  version: number;
}

export const DEFAULT_SETTINGS: OrganizationSettings = {
  timezone: "UTC",
  date_format: "YYYY-MM-DD",
  currency: "USD",
  language: "en",
};

const DAY_MS = 86_400_000;

/** A profile change as the request gave it: a field absent is kept, null clears it; settings merge. */
export type ProfileChanges = Partial<Omit<Profile, "settings" | "address">> & {
  address?: Partial<PostalAddress> | null;
  settings?: Partial<OrganizationSettings>;
};

export type OrganizationCommand =
  | { kind: "create"; accountId: string; createdBy: string; profile: ProfileChanges & { name: string } }
  | { kind: "update"; changes: ProfileChanges }
  /** `reason`: why (suspended, closed); a transition the organization is already past decides nothing. */
  | { kind: "transition"; to: Exclude<LifecycleTransition, "onboarded">; reason?: string | null }
  /** An event elsewhere fulfilled a checklist item; the last one also makes the organization onboarded. */
  | { kind: "completeOnboardingItem"; item: OnboardingItem; fulfilledBy: string };

export type OrganizationEvent =
  | { type: typeof TenancyEvent.OrganizationCreated; data: Decided<OrganizationCreated> }
  | { type: typeof TenancyEvent.OrganizationUpdated; data: Decided<OrganizationUpdated> }
  | { type: typeof TenancyEvent.OnboardingStarted; data: Decided<OnboardingStarted> }
  | { type: typeof TenancyEvent.OnboardingItemCompleted; data: Decided<OnboardingItemCompleted> }
  | { type: typeof TenancyEvent.OrganizationOnboarded; data: Decided<OrganizationOnboarded> }
  | { type: typeof TenancyEvent.OrganizationActivated; data: Decided<OrganizationActivated> }
  | { type: typeof TenancyEvent.OrganizationSuspended; data: Decided<OrganizationSuspended> }
  | { type: typeof TenancyEvent.OrganizationReactivated; data: Decided<OrganizationReactivated> }
  | { type: typeof TenancyEvent.OrganizationClosed; data: Decided<OrganizationClosed> };

/** Every address field present (null when not given), so equal addresses compare equal. */
function fullAddress(address: Partial<PostalAddress> | null | undefined): PostalAddress | null {
  if (!address) return null;
  return {
    street_address: address.street_address ?? null,
    locality: address.locality ?? null,
    region: address.region ?? null,
    postal_code: address.postal_code ?? null,
    country: address.country ?? null,
  };
}

/** The organization's profile as OrganizationCreated/Updated carry it. */
export function profileOf(state: OrganizationState): Profile {
  return {
    name: state.name,
    description: state.description,
    url: state.url,
    email: state.email,
    telephone: state.telephone,
    number_of_employees: state.numberOfEmployees,
    founding_date: state.foundingDate ? Math.round(state.foundingDate.getTime() / DAY_MS) : null,
    industry: state.industry,
    address: fullAddress(state.address),
    settings: state.settings,
  };
}

/** The profile after the changes: absent fields kept, settings merged. */
function changed(profile: Profile, changes: ProfileChanges): Profile {
  const { settings, address, ...fields } = changes;
  const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  return {
    ...profile,
    ...defined,
    ...(address !== undefined ? { address: fullAddress(address) } : {}),
    settings: { ...profile.settings, ...settings },
  };
}

/** Field names (and `settings.<name>`) whose values differ. */
export function changedFields(before: Profile, after: Profile): string[] {
  const fields: string[] = [];
  for (const key of Object.keys(after) as (keyof Profile)[]) {
    if (key === "settings") {
      for (const setting of Object.keys(after.settings) as (keyof OrganizationSettings)[])
        if (after.settings[setting] !== before.settings[setting]) fields.push(`settings.${setting}`);
    } else if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) fields.push(key);
  }
  return fields;
}

const LIFECYCLE_EVENT = {
  active: TenancyEvent.OrganizationActivated,
  suspended: TenancyEvent.OrganizationSuspended,
  reactivated: TenancyEvent.OrganizationReactivated,
  closed: TenancyEvent.OrganizationClosed,
} as const;

/** The events a command implies on the organization as read (null: it does not exist yet). */
export function decide(state: OrganizationState | null, command: OrganizationCommand): OrganizationEvent[] {
  if (command.kind === "create") {
    if (state) throw new ConflictError("organization_exists", `organization ${command.accountId} exists`);
    const empty: Profile = {
      name: command.profile.name,
      description: null,
      url: null,
      email: null,
      telephone: null,
      number_of_employees: null,
      founding_date: null,
      industry: null,
      address: null,
      settings: DEFAULT_SETTINGS,
    };
    const started = progressOf([]);
    return [
      {
        type: TenancyEvent.OrganizationCreated,
        data: {
          ...changed(empty, command.profile),
          status: "created",
          created_by_user_id: command.createdBy,
        },
      },
      {
        type: TenancyEvent.OnboardingStarted,
        data: {
          completed_items: started.completedItems,
          pending_items: started.pendingItems,
          progress_percent: started.progressPercent,
        },
      },
    ];
  }
  if (!state) throw new Error(`decide: ${command.kind} on an organization that does not exist`);
  switch (command.kind) {
    case "update": {
      if (!acceptsWrites(state.status)) throw accountClosedError(state.accountId);
      const before = profileOf(state);
      const after = changed(before, command.changes);
      const fields = changedFields(before, after);
      if (fields.length === 0) return [];
      return [{ type: TenancyEvent.OrganizationUpdated, data: { ...after, changed_fields: fields } }];
    }
    case "transition": {
      if (!canTransition(state.status, command.to)) return [];
      const moved = { previous_status: state.status, status: statusAfter(command.to) };
      switch (command.to) {
        case "suspended":
          return [
            {
              type: LIFECYCLE_EVENT.suspended,
              data: { ...moved, reason: command.reason ?? "payment_overdue" },
            },
          ];
        case "closed":
          return [{ type: LIFECYCLE_EVENT.closed, data: { ...moved, reason: command.reason ?? null } }];
        default:
          return [{ type: LIFECYCLE_EVENT[command.to], data: moved }];
      }
    }
    case "completeOnboardingItem": {
      if (!acceptsWrites(state.status) || state.onboardingDone.includes(command.item)) return [];
      const progress = progressOf([...state.onboardingDone, command.item]);
      const completed: OrganizationEvent = {
        type: TenancyEvent.OnboardingItemCompleted,
        data: {
          item: command.item,
          fulfilled_by_event: command.fulfilledBy,
          completed_items: progress.completedItems,
          pending_items: progress.pendingItems,
          progress_percent: progress.progressPercent,
        },
      };
      if (!progress.complete) return [completed];
      // A new organization moves to "onboarded"; one that billing already made active stays active
      // (topics are not ordered with each other), and the event still says onboarding is done.
      const status = canTransition(state.status, "onboarded") ? statusAfter("onboarded") : state.status;
      return [
        completed,
        {
          type: TenancyEvent.OrganizationOnboarded,
          data: { previous_status: state.status, status, completed_items: progress.completedItems },
        },
      ];
    }
  }
}

/** A stored event of the organization: its payload, version and time. */
export type OrganizationHistoryEvent = { version: number; occurredAt: Date } & (
  | { type: typeof TenancyEvent.OrganizationCreated; data: OrganizationCreated }
  | { type: typeof TenancyEvent.OrganizationUpdated; data: OrganizationUpdated }
  | { type: typeof TenancyEvent.OnboardingStarted; data: OnboardingStarted }
  | { type: typeof TenancyEvent.OnboardingItemCompleted; data: OnboardingItemCompleted }
  | { type: typeof TenancyEvent.OrganizationOnboarded; data: OrganizationOnboarded }
  | { type: typeof TenancyEvent.OrganizationActivated; data: OrganizationActivated }
  | { type: typeof TenancyEvent.OrganizationSuspended; data: OrganizationSuspended }
  | { type: typeof TenancyEvent.OrganizationReactivated; data: OrganizationReactivated }
  | { type: typeof TenancyEvent.OrganizationClosed; data: OrganizationClosed }
);

/** The profile columns an OrganizationCreated/Updated sets. */
function profileColumns(profile: Profile) {
  return {
    name: profile.name,
    description: profile.description,
    url: profile.url,
    email: profile.email,
    telephone: profile.telephone,
    numberOfEmployees: profile.number_of_employees,
    foundingDate: profile.founding_date === null ? null : new Date(profile.founding_date * DAY_MS),
    industry: profile.industry,
    address: fullAddress(profile.address),
    settings: profile.settings,
  };
}

/** An event of the organization folded into its state; times come from the event, never the wall clock. */
export function evolve(state: OrganizationState | null, event: OrganizationHistoryEvent): OrganizationState {
  if (event.type === TenancyEvent.OrganizationCreated) {
    const { data } = event;
    return {
      accountId: data.account_id,
      ...profileColumns(data),
      status: data.status,
      createdBy: data.created_by_user_id,
      createdAt: event.occurredAt,
      updatedAt: event.occurredAt,
      onboardingDone: [],
      version: event.version,
    };
  }
  if (!state) throw new Error(`evolve: ${event.type} on an organization that does not exist`);
  const next = { ...state, updatedAt: event.occurredAt, version: event.version };
  switch (event.type) {
    case TenancyEvent.OrganizationUpdated:
      return { ...next, ...profileColumns(event.data) };
    case TenancyEvent.OnboardingStarted:
      return { ...next, onboardingDone: event.data.completed_items };
    case TenancyEvent.OnboardingItemCompleted:
      return { ...next, onboardingDone: [...state.onboardingDone, event.data.item] };
    case TenancyEvent.OrganizationOnboarded:
    case TenancyEvent.OrganizationActivated:
    case TenancyEvent.OrganizationSuspended:
    case TenancyEvent.OrganizationReactivated:
    case TenancyEvent.OrganizationClosed:
      return { ...next, status: event.data.status };
  }
}
