import {
  type DomainEvent,
  type DomainHistoryEvent,
  type DomainState,
  decide,
  evolve,
} from "../../src/domain/domains";
import { TenancyEvent } from "../../src/domain/events";

const T0 = new Date("2026-11-30T09:00:00.000Z");
const T1 = new Date("2026-11-30T10:00:00.000Z");
const ACTOR = { type: "system", id: null, ip_address: null, user_agent: null };

const added: DomainState = {
  id: "dom_1",
  accountId: "acc",
  domain: "acme.example",
  txtValue: "platform-verification=abc",
  autoJoin: false,
  verifiedAt: null,
  createdAt: T0,
  version: 1,
};
const verified: DomainState = { ...added, verifiedAt: T0, version: 2 };

const stored = (event: DomainEvent, version: number): DomainHistoryEvent =>
  ({
    ...event,
    data: { account_id: "acc", ...event.data, occurred_at: T1.getTime(), actor: ACTOR },
    version,
    occurredAt: T1,
  }) as DomainHistoryEvent;

const add = (claimedBy: string | null) =>
  ({
    kind: "add",
    id: "dom_1",
    accountId: "acc",
    domain: "acme.example",
    txtValue: "platform-verification=abc",
    autoJoin: true,
    claimedBy,
  }) as const;

describe("decide", () => {
  it.each([
    ["add, unclaimed", null, add(null), [TenancyEvent.DomainAdded]],
    ["add, claimed by this organization", null, add("acc"), [TenancyEvent.DomainAdded]],
    [
      "verify, the record found",
      added,
      { kind: "verify", txtRecords: ["x", added.txtValue], claimedBy: null },
      [TenancyEvent.DomainVerified],
    ],
    ["verify, verified already", verified, { kind: "verify", txtRecords: [], claimedBy: null }, []],
    ["auto_join on", verified, { kind: "setAutoJoin", autoJoin: true }, [TenancyEvent.DomainAutoJoinChanged]],
    ["auto_join unchanged", verified, { kind: "setAutoJoin", autoJoin: false }, []],
    ["remove", added, { kind: "remove" }, [TenancyEvent.DomainRemoved]],
  ] as const)("%s", (_case, state, command, types) => {
    expect(decide(state, command).map((e) => e.type)).toEqual(types);
  });

  it.each([
    ["add, the name added already", "domain_exists", added, add(null)],
    ["add, another organization's verified name", "domain_taken", null, add("other")],
    [
      "verify, another organization's claim",
      "domain_taken",
      added,
      { kind: "verify", txtRecords: [added.txtValue], claimedBy: "other" },
    ],
    [
      "verify, no such record",
      "domain_unverified",
      added,
      { kind: "verify", txtRecords: ["platform-verification=zzz"], claimedBy: null },
    ],
    ["auto_join before verified", "domain_unverified", added, { kind: "setAutoJoin", autoJoin: true }],
  ] as const)("%s → 409 %s", (_case, code, state, command) => {
    expect(() => decide(state, command)).toThrow(expect.objectContaining({ code }));
  });

  it("DomainAdded carries the TXT record to publish", () => {
    expect(decide(null, add(null))[0]?.data).toEqual({
      domain_id: "dom_1",
      domain: "acme.example",
      auto_join: true,
      txt_record_name: "_platform-verification.acme.example",
      txt_record_value: "platform-verification=abc",
    });
  });
});

describe("evolve", () => {
  it("added, verified at the event's time, auto_join changed, removed to nothing", () => {
    const [addedEvent] = decide(null, add(null));
    if (!addedEvent) throw new Error("nothing decided");
    expect(evolve(null, stored(addedEvent, 1))).toEqual({ ...added, autoJoin: true, createdAt: T1 });
    const [verifiedEvent] = decide(added, { kind: "verify", txtRecords: [added.txtValue], claimedBy: null });
    if (!verifiedEvent) throw new Error("nothing decided");
    expect(evolve(added, stored(verifiedEvent, 2))).toEqual({ ...added, verifiedAt: T1, version: 2 });
    const [changed] = decide(verified, { kind: "setAutoJoin", autoJoin: true });
    if (!changed) throw new Error("nothing decided");
    expect(evolve(verified, stored(changed, 3))).toEqual({ ...verified, autoJoin: true, version: 3 });
    const [removed] = decide(verified, { kind: "remove" });
    if (!removed) throw new Error("nothing decided");
    expect(evolve(verified, stored(removed, 3))).toBeNull();
    expect(() => evolve(null, stored(removed, 3))).toThrow(/does not exist/);
  });
});
