import { ConflictError } from "@platform/errors";
import { TenancyEvent } from "../../src/domain/events";
import {
  DEFAULT_SETTINGS,
  decide,
  evolve,
  type OrganizationHistoryEvent,
  type OrganizationState,
} from "../../src/domain/organizations";

const T0 = new Date("2026-11-30T09:00:00.000Z");
const T1 = new Date("2026-11-30T10:00:00.000Z");
const ACTOR = { type: "system", id: null, ip_address: null, user_agent: null };

function organization(overrides: Partial<OrganizationState> = {}): OrganizationState {
  return {
    accountId: "acc",
    name: "Acme",
    description: null,
    url: null,
    email: null,
    telephone: null,
    numberOfEmployees: null,
    foundingDate: null,
    industry: null,
    address: null,
    settings: DEFAULT_SETTINGS,
    status: "created",
    createdBy: "usr_1",
    createdAt: T0,
    updatedAt: T0,
    onboardingDone: [],
    version: 2,
    ...overrides,
  };
}

/** A decided event as the store keeps it: stamped with the account, time and actor, at a version. */
function stored(
  event: ReturnType<typeof decide>[number],
  version: number,
  occurredAt = T1,
): OrganizationHistoryEvent {
  return {
    ...event,
    data: { account_id: "acc", ...event.data, occurred_at: occurredAt.getTime(), actor: ACTOR },
    version,
    occurredAt,
  } as OrganizationHistoryEvent;
}

describe("decide: create", () => {
  it("a new organization → OrganizationCreated with default settings and OnboardingStarted", () => {
    const events = decide(null, {
      kind: "create",
      accountId: "acc",
      createdBy: "usr_1",
      profile: { name: "Acme", address: { country: "DE" }, settings: { timezone: "Europe/Berlin" } },
    });
    expect(events.map((e) => e.type)).toEqual([
      TenancyEvent.OrganizationCreated,
      TenancyEvent.OnboardingStarted,
    ]);
    expect(events[0]?.data).toMatchObject({
      name: "Acme",
      status: "created",
      created_by_user_id: "usr_1",
      address: { street_address: null, locality: null, region: null, postal_code: null, country: "DE" },
      settings: { ...DEFAULT_SETTINGS, timezone: "Europe/Berlin" },
    });
    expect(events[1]?.data).toMatchObject({ completed_items: [], progress_percent: 0 });
  });

  it("an organization that exists → 409 organization_exists", () => {
    expect(() =>
      decide(organization(), { kind: "create", accountId: "acc", createdBy: "u", profile: { name: "x" } }),
    ).toThrow(expect.objectContaining({ code: "organization_exists" }));
  });
});

describe("decide: update", () => {
  it.each([
    ["a new name", { name: "Acme Corp" }, ["name"]],
    ["a cleared description", { description: null }, []],
    ["one setting", { settings: { currency: "EUR" } }, ["settings.currency"]],
    ["the same setting again", { settings: { currency: "USD" } }, []],
    ["a founding date", { founding_date: 10 }, ["founding_date"]],
  ] as const)("%s → changed fields %j", (_case, changes, fields) => {
    const events = decide(organization(), { kind: "update", changes });
    expect(
      events.flatMap((e) => (e.type === TenancyEvent.OrganizationUpdated ? e.data.changed_fields : [])),
    ).toEqual(fields);
    if (fields.length === 0) expect(events).toEqual([]);
  });

  it("a closed organization → 409 account_closed", () => {
    const closed = organization({ status: "closed" });
    expect(() => decide(closed, { kind: "update", changes: { name: "x" } })).toThrow(ConflictError);
  });
});

describe("decide: lifecycle", () => {
  it.each([
    ["created", "active", TenancyEvent.OrganizationActivated, "active"],
    ["active", "suspended", TenancyEvent.OrganizationSuspended, "suspended"],
    ["suspended", "reactivated", TenancyEvent.OrganizationReactivated, "active"],
    ["onboarded", "closed", TenancyEvent.OrganizationClosed, "closed"],
  ] as const)("%s, %s → %s (status %s)", (from, to, type, status) => {
    expect(decide(organization({ status: from }), { kind: "transition", to })).toEqual([
      expect.objectContaining({ type, data: expect.objectContaining({ previous_status: from, status }) }),
    ]);
  });

  it.each([
    ["closed", "closed"],
    ["closed", "reactivated"],
    ["active", "reactivated"],
    ["suspended", "active"],
  ] as const)("%s, %s → nothing (already past it)", (from, to) => {
    expect(decide(organization({ status: from }), { kind: "transition", to })).toEqual([]);
  });

  it("a suspension says why; payment_overdue when nobody said", () => {
    const [event] = decide(organization({ status: "active" }), { kind: "transition", to: "suspended" });
    expect(event?.data).toMatchObject({ reason: "payment_overdue" });
  });
});

describe("decide: onboarding", () => {
  const tick = (item: "verify_email" | "set_up_billing") =>
    ({ kind: "completeOnboardingItem", item, fulfilledBy: "some.Event" }) as const;

  it("an item not done yet → OnboardingItemCompleted with the progress", () => {
    expect(decide(organization(), tick("verify_email"))).toEqual([
      {
        type: TenancyEvent.OnboardingItemCompleted,
        data: expect.objectContaining({ item: "verify_email", progress_percent: 20 }),
      },
    ]);
  });

  it("an item already done, or a closed organization → nothing", () => {
    expect(decide(organization({ onboardingDone: ["verify_email"] }), tick("verify_email"))).toEqual([]);
    expect(decide(organization({ status: "closed" }), tick("verify_email"))).toEqual([]);
  });

  const allButBilling = ["verify_email", "add_team_members", "configure_settings", "create_first_project"];
  it.each([
    ["created", "onboarded"],
    ["active", "active"],
  ])("the last item of a %s organization → also OrganizationOnboarded, status %s", (from, status) => {
    const events = decide(
      organization({ status: from, onboardingDone: allButBilling }),
      tick("set_up_billing"),
    );
    expect(events.map((e) => e.type)).toEqual([
      TenancyEvent.OnboardingItemCompleted,
      TenancyEvent.OrganizationOnboarded,
    ]);
    expect(events[1]?.data).toMatchObject({ previous_status: from, status });
  });
});

describe("evolve", () => {
  it("folds the created organization with the event's time and version", () => {
    const [created] = decide(null, {
      kind: "create",
      accountId: "acc",
      createdBy: "usr_1",
      profile: { name: "Acme", founding_date: 20_000 },
    });
    if (!created) throw new Error("nothing decided");
    expect(evolve(null, stored(created, 1, T0))).toEqual(
      organization({ version: 1, foundingDate: new Date(20_000 * 86_400_000) }),
    );
  });

  it("an update sets the profile from the event; a status change only the status; both the time and version", () => {
    const state = organization();
    const [updated] = decide(state, { kind: "update", changes: { name: "Acme Corp", industry: "retail" } });
    if (!updated) throw new Error("nothing decided");
    expect(evolve(state, stored(updated, 3))).toEqual({
      ...state,
      name: "Acme Corp",
      industry: "retail",
      updatedAt: T1,
      version: 3,
    });
    const [closed] = decide(state, { kind: "transition", to: "closed" });
    if (!closed) throw new Error("nothing decided");
    expect(evolve(state, stored(closed, 3))).toEqual({
      ...state,
      status: "closed",
      updatedAt: T1,
      version: 3,
    });
  });

  it("a completed item is added in the order items are fulfilled", () => {
    const state = organization({ onboardingDone: ["set_up_billing"] });
    const [completed] = decide(state, {
      kind: "completeOnboardingItem",
      item: "verify_email",
      fulfilledBy: "x",
    });
    if (!completed) throw new Error("nothing decided");
    expect(evolve(state, stored(completed, 3)).onboardingDone).toEqual(["set_up_billing", "verify_email"]);
  });

  it("an event on an organization that does not exist throws", () => {
    const [closed] = decide(organization(), { kind: "transition", to: "closed" });
    if (!closed) throw new Error("nothing decided");
    expect(() => evolve(null, stored(closed, 1))).toThrow(/does not exist/);
  });
});
