import { BillingEvent, IdentityEvent, TenancyEvent } from "@platform/contracts";
import { itemFulfilledBy, ONBOARDING_ITEMS, progressOf } from "../../src/domain/onboarding.js";
import { invalidInput, invalidInputCode } from "./invalid-input.js";

describe("ONBOARDING_ITEMS", () => {
  it("lists the seed's checklist in order", () => {
    expect(ONBOARDING_ITEMS).toEqual([
      "verify_email",
      "add_team_members",
      "configure_settings",
      "create_first_project",
      "set_up_billing",
    ]);
  });
});

describe("progressOf", () => {
  it("starts at 0 with everything pending", () => {
    expect(progressOf([])).toEqual({
      completedItems: [],
      pendingItems: [...ONBOARDING_ITEMS],
      progressPercent: 0,
      complete: false,
    });
  });

  it("reports completed and pending items in checklist order, whatever the input order", () => {
    expect(progressOf(["set_up_billing", "verify_email"])).toEqual({
      completedItems: ["verify_email", "set_up_billing"],
      pendingItems: ["add_team_members", "configure_settings", "create_first_project"],
      progressPercent: 40,
      complete: false,
    });
  });

  it("is complete at 100 % with every item", () => {
    expect(progressOf([...ONBOARDING_ITEMS].reverse())).toEqual({
      completedItems: [...ONBOARDING_ITEMS],
      pendingItems: [],
      progressPercent: 100,
      complete: true,
    });
  });

  it("counts duplicates once and ignores unknown items", () => {
    const progress = progressOf(["verify_email", "verify_email", "pay_invoice", "", "VERIFY_EMAIL"]);
    expect(progress.completedItems).toEqual(["verify_email"]);
    expect(progress.progressPercent).toBe(20);
  });

  it("accepts any iterable: a Set or a generator", () => {
    expect(progressOf(new Set(["verify_email", "add_team_members"])).progressPercent).toBe(40);
    function* items() {
      yield "create_first_project";
    }
    expect(progressOf(items()).completedItems).toEqual(["create_first_project"]);
  });

  it("ignores non-string entries", () => {
    expect(progressOf([1, null, "set_up_billing"] as unknown as string[]).completedItems).toEqual([
      "set_up_billing",
    ]);
  });

  it.each([
    ["a bare string", "verify_email"],
    ["null", null],
    ["undefined", undefined],
    ["a number", 3],
    ["a plain object", { verify_email: true }],
  ])("rejects %s", (_label, value) => {
    expect(invalidInputCode(() => progressOf(value as unknown as Iterable<string>))).toBe(
      "invalid_onboarding_items",
    );
  });
});

describe("itemFulfilledBy", () => {
  it("maps EmailVerified to verify_email", () => {
    expect(itemFulfilledBy(IdentityEvent.EmailVerified, { user_id: "usr_1" })).toBe("verify_email");
  });

  it.each(["invitation", "admin", "scim"])(
    "maps an organization member added by %s to add_team_members",
    (source) => {
      expect(itemFulfilledBy(TenancyEvent.MemberAdded, { group_type: "account", source })).toBe(
        "add_team_members",
      );
    },
  );

  it.each(["owner", "sso", "auto_join"])("does not count a member added by %s", (source) => {
    expect(itemFulfilledBy(TenancyEvent.MemberAdded, { group_type: "account", source })).toBeNull();
  });

  it("does not count members added to a group below the organization", () => {
    expect(
      itemFulfilledBy(TenancyEvent.MemberAdded, { group_type: "project", source: "invitation" }),
    ).toBeNull();
  });

  it.each([["settings"], ["settings.timezone"], ["name", "settings.currency"]])(
    "maps an organization update of %p to configure_settings",
    (...changed) => {
      expect(itemFulfilledBy(TenancyEvent.OrganizationUpdated, { changed_fields: changed })).toBe(
        "configure_settings",
      );
    },
  );

  it.each([[[]], [["name", "industry"]], [["settingsx"]], [["address.settings"]]])(
    "ignores an organization update of %p",
    (changed) => {
      expect(itemFulfilledBy(TenancyEvent.OrganizationUpdated, { changed_fields: changed })).toBeNull();
    },
  );

  it("maps a created project to create_first_project, not a workspace or team", () => {
    expect(itemFulfilledBy(TenancyEvent.GroupCreated, { group_type: "project" })).toBe(
      "create_first_project",
    );
    expect(itemFulfilledBy(TenancyEvent.GroupCreated, { group_type: "workspace" })).toBeNull();
    expect(itemFulfilledBy(TenancyEvent.GroupCreated, { group_type: "team" })).toBeNull();
  });

  it.each([BillingEvent.SubscriptionCreated, BillingEvent.TrialStarted])(
    "maps %s to set_up_billing",
    (eventType) => {
      expect(itemFulfilledBy(eventType, {})).toBe("set_up_billing");
    },
  );

  it.each([
    BillingEvent.InvoicePaid,
    TenancyEvent.MemberRemoved,
    IdentityEvent.UserSignedIn,
    "platform.identity.emailverified",
    "EmailVerified",
    "",
  ])("returns null for the unrelated event %p, without reading the payload", (eventType) => {
    expect(itemFulfilledBy(eventType, null as unknown as Record<string, unknown>)).toBeNull();
  });

  describe("malformed payloads of relevant events", () => {
    it.each([
      [TenancyEvent.MemberAdded, { group_type: "account" }, "source"],
      [TenancyEvent.MemberAdded, { source: "admin" }, "group_type"],
      [TenancyEvent.OrganizationUpdated, { changed_fields: "settings" }, "changed_fields"],
      [TenancyEvent.OrganizationUpdated, {}, "changed_fields"],
      [TenancyEvent.GroupCreated, { group_type: 3 }, "group_type"],
    ])("rejects %s with %p", (eventType, payload, field) => {
      const error = invalidInput(() => itemFulfilledBy(eventType, payload));
      expect(error.code).toBe("invalid_event_payload");
      expect(error.details).toEqual({ eventType, field });
    });

    it.each([null, "payload", []])("rejects the payload %p", (payload) => {
      expect(
        invalidInputCode(() =>
          itemFulfilledBy(BillingEvent.TrialStarted, payload as unknown as Record<string, unknown>),
        ),
      ).toBe("invalid_event_payload");
    });
  });
});
