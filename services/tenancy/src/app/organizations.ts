import { randomBytes } from "node:crypto";
import { accountClosedError } from "@platform/auth";
import { inTenant } from "@platform/database";
import { NotFoundError } from "@platform/errors";
import type { Clock, EventStore } from "@platform/event-sourcing";
import { parseBody } from "@platform/http";
import { z } from "zod";
import { type Actor, SYSTEM_ACTOR, TenancyEvent } from "../domain/events";
import { acceptsWrites, canTransition, type LifecycleTransition, statusAfter } from "../domain/lifecycle";
import { ONBOARDING_ITEMS, progressOf } from "../domain/onboarding";
import type { Organization } from "../generated/prisma/client";
import { accountIsClosed, type Db, record, type Tx } from "./tenant";

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

const DEFAULT_SETTINGS = { timezone: "UTC", date_format: "YYYY-MM-DD", currency: "USD", language: "en" };

const DAY_MS = 86_400_000;

/** The organization as OrganizationCreated/Updated carry it (Avro field names). */
function profileOf(org: Organization) {
  const addressValue = org.address as Record<string, string | null> | null;
  return {
    name: org.name,
    description: org.description,
    url: org.url,
    email: org.email,
    telephone: org.telephone,
    number_of_employees: org.numberOfEmployees,
    founding_date: org.foundingDate ? Math.round(org.foundingDate.getTime() / DAY_MS) : null,
    industry: org.industry,
    address: addressValue
      ? {
          street_address: addressValue.street_address ?? null,
          locality: addressValue.locality ?? null,
          region: addressValue.region ?? null,
          postal_code: addressValue.postal_code ?? null,
          country: addressValue.country ?? null,
        }
      : null,
    settings: org.settings as typeof DEFAULT_SETTINGS,
  };
}

export type OrganizationView = ReturnType<typeof organizationJson>;

export function organizationJson(org: Organization) {
  const { founding_date: _days, ...profile } = profileOf(org);
  return {
    account_id: org.accountId,
    ...profile,
    founding_date: org.foundingDate?.toISOString().slice(0, 10) ?? null,
    status: org.status,
    onboarding: progressOf(org.onboardingDone),
    created_at: org.createdAt.toISOString(),
  };
}

/** Organizations: creation with their owner and onboarding checklist, profile changes, closing. */
export class OrganizationService {
  constructor(
    private readonly db: Db,
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  async create(body: unknown, creatorId: string, actor: Actor): Promise<Organization> {
    const input = parseBody(createOrganizationBody, body);
    const accountId = `org_${randomBytes(10).toString("hex")}`;
    const now = this.clock.now();
    return inTenant(this.db, accountId, async (tx) => {
      const org = await tx.organization.create({
        data: {
          accountId,
          name: input.name,
          ...this.columns(input),
          settings: { ...DEFAULT_SETTINGS, ...input.settings },
          status: "created",
          createdBy: creatorId,
        },
      });
      await tx.membership.create({
        data: { accountId, groupId: accountId, userId: creatorId, role: "owner", source: "owner" },
      });
      await tx.organizationCreator.create({ data: { userId: creatorId, accountId } });
      const progress = progressOf([]);
      await record(
        this.store,
        tx,
        { type: "organization", id: accountId, accountId },
        [
          {
            type: TenancyEvent.OrganizationCreated,
            data: { ...profileOf(org), status: "created", created_by_user_id: creatorId },
          },
          {
            type: TenancyEvent.OnboardingStarted,
            data: {
              completed_items: [],
              pending_items: [...ONBOARDING_ITEMS],
              progress_percent: progress.progressPercent,
            },
          },
        ],
        actor,
        now,
      );
      await record(
        this.store,
        tx,
        { type: "membership", id: `${accountId}:${creatorId}`, accountId },
        [
          {
            type: TenancyEvent.MemberAdded,
            data: {
              user_id: creatorId,
              group_id: accountId,
              group_type: "account",
              role: "owner",
              source: "owner",
            },
          },
        ],
        actor,
        now,
      );
      return org;
    });
  }

  async get(accountId: string): Promise<Organization> {
    return inTenant(this.db, accountId, (tx) => this.require(tx, accountId));
  }

  async update(accountId: string, body: unknown, actor: Actor): Promise<Organization> {
    const input = parseBody(updateOrganizationBody, body);
    return inTenant(this.db, accountId, async (tx) => {
      const before = await this.require(tx, accountId, { forUpdate: true });
      if (!acceptsWrites(before.status)) throw accountClosedError(accountId);
      const after = await tx.organization.update({
        where: { accountId },
        data: {
          ...(input.name ? { name: input.name } : {}),
          ...this.columns(input),
          ...(input.settings ? { settings: { ...(before.settings as object), ...input.settings } } : {}),
        },
      });
      const changed = changedFields(profileOf(before), profileOf(after));
      if (changed.length === 0) return after;
      await record(
        this.store,
        tx,
        { type: "organization", id: accountId, accountId },
        [{ type: TenancyEvent.OrganizationUpdated, data: { ...profileOf(after), changed_fields: changed } }],
        actor,
        this.clock.now(),
      );
      return after;
    });
  }

  /** Moves the organization through its lifecycle; a transition it is already past is refused. */
  async transition(
    tx: Tx,
    accountId: string,
    to: LifecycleTransition,
    actor: Actor,
    extra: Record<string, unknown> = {},
  ): Promise<boolean> {
    const org = await this.require(tx, accountId, { forUpdate: true });
    if (!canTransition(org.status, to)) return false;
    const next = statusAfter(to);
    await tx.organization.update({ where: { accountId }, data: { status: next } });
    const type = {
      onboarded: TenancyEvent.OrganizationOnboarded,
      active: TenancyEvent.OrganizationActivated,
      suspended: TenancyEvent.OrganizationSuspended,
      reactivated: TenancyEvent.OrganizationReactivated,
      closed: TenancyEvent.OrganizationClosed,
    }[to];
    await record(
      this.store,
      tx,
      { type: "organization", id: accountId, accountId },
      [{ type, data: { previous_status: org.status, status: next, ...extra } }],
      actor,
      this.clock.now(),
    );
    return true;
  }

  /**
   * The checklist is complete: organization.onboarded. A new organization moves to "onboarded"; one
   * that billing already made active stays active (events from different topics arrive in any order),
   * and the event still says onboarding is done.
   */
  async markOnboarded(tx: Tx, accountId: string, completedItems: string[]): Promise<void> {
    if (await this.transition(tx, accountId, "onboarded", SYSTEM_ACTOR, { completed_items: completedItems }))
      return;
    const org = await this.require(tx, accountId);
    if (!acceptsWrites(org.status)) return;
    await record(
      this.store,
      tx,
      { type: "organization", id: accountId, accountId },
      [
        {
          type: TenancyEvent.OrganizationOnboarded,
          data: { previous_status: org.status, status: org.status, completed_items: completedItems },
        },
      ],
      SYSTEM_ACTOR,
      this.clock.now(),
    );
  }

  async close(accountId: string, reason: string | null, actor: Actor): Promise<Organization> {
    return inTenant(this.db, accountId, async (tx) => {
      const closed = await this.transition(tx, accountId, "closed", actor, { reason });
      if (!closed) throw accountClosedError(accountId);
      return this.require(tx, accountId);
    });
  }

  /** The organization's own row says whether it is closed; @platform/auth's guard asks this. */
  async isClosed(accountId: string): Promise<boolean> {
    return inTenant(this.db, accountId, (tx) => accountIsClosed(tx, accountId));
  }

  async require(tx: Tx, accountId: string, options: { forUpdate?: boolean } = {}): Promise<Organization> {
    if (options.forUpdate)
      await tx.$queryRawUnsafe("SELECT 1 FROM organizations WHERE account_id = $1 FOR UPDATE", accountId);
    const org = await tx.organization.findUnique({ where: { accountId } });
    if (!org) throw new NotFoundError("organization_not_found", `organization ${accountId} does not exist`);
    return org;
  }

  private columns(input: z.output<typeof updateOrganizationBody>) {
    const pick = <T>(value: T | undefined) => (value === undefined ? {} : { value });
    const set: Record<string, unknown> = {};
    const map: [keyof typeof input, string][] = [
      ["description", "description"],
      ["url", "url"],
      ["email", "email"],
      ["telephone", "telephone"],
      ["number_of_employees", "numberOfEmployees"],
      ["industry", "industry"],
      ["address", "address"],
    ];
    for (const [field, column] of map) {
      const value = pick(input[field]);
      if ("value" in value) set[column] = value.value ?? null;
    }
    if (input.founding_date !== undefined)
      set.foundingDate = input.founding_date ? new Date(`${input.founding_date}T00:00:00Z`) : null;
    return set;
  }
}

function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const changed: string[] = [];
  for (const key of Object.keys(after)) {
    if (key === "settings") {
      const b = before.settings as Record<string, unknown>;
      const a = after.settings as Record<string, unknown>;
      for (const setting of Object.keys(a))
        if (a[setting] !== b[setting]) changed.push(`settings.${setting}`);
    } else if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changed.push(key);
  }
  return changed;
}
