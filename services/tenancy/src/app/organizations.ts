import { randomBytes } from "node:crypto";
import { accountClosedError } from "@platform/auth";
import { inTenant } from "@platform/database";
import { ConcurrencyConflictError, NotFoundError } from "@platform/errors";
import type { Clock, EventStore } from "@platform/event-sourcing";
import { parseBody } from "@platform/http";
import { z } from "zod";
import { type Actor, SYSTEM_ACTOR } from "../domain/events";
import { type OnboardingItem, progressOf } from "../domain/onboarding";
import {
  decide,
  type OrganizationEvent,
  type OrganizationSettings,
  type OrganizationState,
  type PostalAddress,
  type ProfileChanges,
  profileOf,
} from "../domain/organizations";
import type { Organization } from "../generated/prisma/client";
import type { Memberships } from "./memberships";
import { accountIsClosed, type Db, lockOrganization, record, type Tx } from "./tenant";

const TIME_ZONES = new Set(Intl.supportedValuesOf("timeZone").concat("UTC"));

const text = (max: number) => z.string().trim().min(1).max(max);
const address = z.object({
  street_address: text(200).nullish(),
  locality: text(100).nullish(),
  region: text(100).nullish(),
  postal_code: text(20).nullish(),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, "an ISO 3166-1 alpha-2 code")
    .nullish(),
});
const settings = z.object({
  timezone: z.string().refine((zone) => TIME_ZONES.has(zone), "an IANA time zone, e.g. Europe/Berlin"),
  date_format: z.enum(["YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY", "DD.MM.YYYY"]),
  currency: z.string().regex(/^[A-Z]{3}$/, "an ISO 4217 code"),
  language: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "a BCP 47 language tag"),
});
const DAY_MS = 86_400_000;

/** How often a profile update is decided again after process steps appended in between (see `update`). */
const PROCESS_CONFLICT_RETRIES = 3;

const profileFields = {
  description: text(2000).nullish(),
  url: z
    .url({ protocol: /^https?$/ })
    .max(500)
    .nullish(),
  email: z.email().max(254).nullish(),
  telephone: z
    .string()
    .regex(/^\+?[0-9 ()-]{5,30}$/, "a telephone number")
    .nullish(),
  number_of_employees: z.number().int().min(0).max(10_000_000).nullish(),
  founding_date: z.iso.date().nullish(),
  industry: text(100).nullish(),
  address: address.nullish(),
};
export const createOrganizationBody = z.object({
  name: text(200),
  ...profileFields,
  settings: settings.partial().optional(),
});
export const updateOrganizationBody = z
  .object({ name: text(200).optional(), ...profileFields, settings: settings.partial().optional() })
  .refine((body) => Object.keys(body).length > 0, "nothing to change");

/** The row as the domain's state: the JSON columns hold what OrganizationCreated/Updated carried. */
export function organizationState(row: Organization): OrganizationState {
  return {
    ...row,
    address: row.address as PostalAddress | null,
    settings: row.settings as unknown as OrganizationSettings,
  };
}

export type OrganizationView = ReturnType<typeof organizationJson>;

export function organizationJson(org: Organization) {
  const { founding_date: _days, ...profile } = profileOf(organizationState(org));
  return {
    account_id: org.accountId,
    ...profile,
    founding_date: org.foundingDate?.toISOString().slice(0, 10) ?? null,
    status: org.status,
    onboarding: progressOf(org.onboardingDone),
    created_at: org.createdAt.toISOString(),
  };
}

/**
 * Organizations: creation with their owner and onboarding checklist, profile changes, lifecycle.
 * A command reads the organization's row (no lock), decides, and appends at the row's version; the
 * inline handlers write `organizations` and `organization_creators` (src/projections/inline.ts).
 */
export class OrganizationService {
  constructor(
    private readonly db: Db,
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly memberships: Memberships,
  ) {}

  async create(body: unknown, creatorId: string, actor: Actor): Promise<Organization> {
    const input = parseBody(createOrganizationBody, body);
    const accountId = `org_${randomBytes(10).toString("hex")}`;
    const now = this.clock.now();
    return inTenant(this.db, accountId, async (tx) => {
      const events = decide(null, {
        kind: "create",
        accountId,
        createdBy: creatorId,
        profile: { ...profileChanges(input), name: input.name },
      });
      await this.append(tx, accountId, 0, events, actor, now);
      await this.memberships.add(tx, accountId, accountId, "account", creatorId, "owner", "owner", actor);
      return this.require(tx, accountId);
    });
  }

  async get(accountId: string): Promise<Organization> {
    return inTenant(this.db, accountId, (tx) => this.require(tx, accountId));
  }

  async update(accountId: string, body: unknown, actor: Actor): Promise<Organization> {
    const changes = profileChanges(parseBody(updateOrganizationBody, body));
    // Process steps (an onboarding item, billing's lifecycle) append to the organization as events
    // elsewhere arrive. The request's change does not depend on theirs, so when only they came between
    // the read and the append, it is decided again on the new state; a conflict with another person's
    // change is answered (409 concurrency_conflict): they may have changed what this one was based on.
    for (let attempt = 1; ; attempt++) {
      let decidedOn = 0;
      try {
        return await inTenant(this.db, accountId, async (tx) => {
          // A plain read: a concurrent change of the organization is refused by the store (expected version).
          const before = await this.require(tx, accountId);
          decidedOn = before.version;
          const events = decide(organizationState(before), { kind: "update", changes });
          return this.applied(tx, before, events, actor);
        });
      } catch (error) {
        const retry =
          error instanceof ConcurrencyConflictError &&
          attempt < PROCESS_CONFLICT_RETRIES &&
          (await this.onlyProcessesSince(accountId, decidedOn));
        if (!retry) throw error;
      }
    }
  }

  /** Whether every event of the organization after `version` was appended by a process step (the system). */
  private async onlyProcessesSince(accountId: string, version: number): Promise<boolean> {
    const since = await inTenant(this.db, accountId, (tx) => this.store.load(tx, accountId, version));
    return since.every((event) => event.metadata.actor === SYSTEM_ACTOR.type);
  }

  /** Moves the organization through its lifecycle; false when it is already past the transition. */
  async transition(
    tx: Tx,
    accountId: string,
    to: "active" | "suspended" | "reactivated" | "closed",
    actor: Actor,
    reason?: string | null,
  ): Promise<boolean> {
    const org = await this.require(tx, accountId);
    const events = decide(organizationState(org), { kind: "transition", to, reason });
    await this.applied(tx, org, events, actor);
    return events.length > 0;
  }

  /**
   * An event elsewhere fulfilled a checklist item: OnboardingItemCompleted, and with the last item
   * organization.onboarded (see `decide`). Nothing when the item is done already or the organization
   * is closed, so a redelivered event changes nothing twice.
   */
  async completeOnboardingItem(
    tx: Tx,
    accountId: string,
    item: OnboardingItem,
    fulfilledBy: string,
  ): Promise<void> {
    const org = await tx.organization.findUnique({ where: { accountId } });
    if (!org) return;
    const events = decide(organizationState(org), { kind: "completeOnboardingItem", item, fulfilledBy });
    await this.applied(tx, org, events, SYSTEM_ACTOR);
  }

  async close(accountId: string, reason: string | null, actor: Actor): Promise<Organization> {
    return inTenant(this.db, accountId, async (tx) => {
      // The closing is a rule over every aggregate of the organization: each of their appends reads
      // the status (`record` holds the row FOR KEY SHARE). The organization lock makes the closing wait
      // for those writes to commit, and a write waiting on it sees it closed: none lands after it.
      await lockOrganization(tx, accountId);
      const closed = await this.transition(tx, accountId, "closed", actor, reason);
      if (!closed) throw accountClosedError(accountId);
      return this.require(tx, accountId);
    });
  }

  /** The organization's own row says whether it is closed; @platform/auth's guard asks this. */
  async isClosed(accountId: string): Promise<boolean> {
    return inTenant(this.db, accountId, (tx) => accountIsClosed(tx, accountId));
  }

  async require(tx: Tx, accountId: string): Promise<Organization> {
    const org = await tx.organization.findUnique({ where: { accountId } });
    if (!org) throw new NotFoundError("organization_not_found", `organization ${accountId} does not exist`);
    return org;
  }

  /** Appends what was decided on `org` at its version; the inline handlers write the row. */
  private async applied(
    tx: Tx,
    org: Organization,
    events: OrganizationEvent[],
    actor: Actor,
  ): Promise<Organization> {
    if (events.length === 0) return org;
    await this.append(tx, org.accountId, org.version, events, actor, this.clock.now());
    return this.require(tx, org.accountId);
  }

  private append(
    tx: Tx,
    accountId: string,
    expectedVersion: number,
    events: OrganizationEvent[],
    actor: Actor,
    now: Date,
  ): Promise<void> {
    return record(
      this.store,
      tx,
      { type: "organization", id: accountId, accountId },
      events,
      actor,
      now,
      expectedVersion,
    );
  }
}

/** The request's profile fields in the events' form (founding_date in days); absent ones stay absent. */
function profileChanges(input: z.output<typeof updateOrganizationBody>): ProfileChanges {
  const { founding_date: foundingDate, address, settings: settingsInput, ...fields } = input;
  const changes: ProfileChanges = {};
  for (const [field, value] of Object.entries(fields))
    if (value !== undefined) Object.assign(changes, { [field]: value ?? null });
  if (foundingDate !== undefined)
    changes.founding_date = foundingDate
      ? Math.round(Date.parse(`${foundingDate}T00:00:00Z`) / DAY_MS)
      : null;
  if (address !== undefined) changes.address = address ?? null;
  if (settingsInput) changes.settings = settingsInput;
  return changes;
}
