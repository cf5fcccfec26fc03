import { TenancyEvent } from "../../src/domain/events";
import {
  decide,
  evolve,
  type InvitationEvent,
  type InvitationHistoryEvent,
  type InvitationState,
} from "../../src/domain/invitations";

const T0 = new Date("2026-11-30T09:00:00.000Z");
const T1 = new Date("2026-11-30T10:00:00.000Z");
const LATER = new Date("2026-12-07T10:00:00.000Z");
const ACTOR = { type: "user", id: "usr_owner", ip_address: null, user_agent: null };

const pending: InvitationState = {
  id: "inv_1",
  accountId: "acc",
  role: "member",
  groupId: null,
  tokenHash: "hash-1",
  expiresAt: LATER,
  status: "pending",
  sendCount: 1,
  invitedBy: "usr_owner",
  createdAt: T0,
  version: 1,
};

const stored = (event: InvitationEvent, version: number): InvitationHistoryEvent =>
  ({
    ...event,
    data: { account_id: "acc", ...event.data, occurred_at: T1.getTime(), actor: ACTOR },
    version,
    occurredAt: T1,
  }) as InvitationHistoryEvent;

const send = {
  kind: "send",
  id: "inv_1",
  emailHash: "email-hash",
  role: "member",
  groupId: null,
  expiresAt: LATER,
  tokenHash: "hash-1",
} as const;

describe("decide", () => {
  it.each([
    ["send", null, send, [TenancyEvent.InvitationSent]],
    [
      "resend a pending one",
      pending,
      { kind: "resend", emailHash: "h", expiresAt: LATER, tokenHash: "hash-2" },
      [TenancyEvent.InvitationResent],
    ],
    ["revoke a pending one", pending, { kind: "revoke", emailHash: "h" }, [TenancyEvent.InvitationRevoked]],
    [
      "accept a pending one",
      pending,
      { kind: "accept", emailHash: "h", userId: "usr_2" },
      [TenancyEvent.InvitationAccepted],
    ],
    [
      "accept one accepted already (redelivery)",
      { ...pending, status: "accepted" },
      { kind: "accept", emailHash: "h", userId: "usr_2" },
      [],
    ],
  ] as const)("%s", (_case, state, command, types) => {
    expect(decide(state, command).map((e) => e.type)).toEqual(types);
  });

  it.each([
    ["resend", { kind: "resend", emailHash: "h", expiresAt: LATER, tokenHash: "x" }],
    ["revoke", { kind: "revoke", emailHash: "h" }],
  ] as const)("%s one no longer pending → 409 invitation_not_pending", (_case, command) => {
    expect(() => decide({ ...pending, status: "revoked" }, command)).toThrow(
      expect.objectContaining({ code: "invitation_not_pending" }),
    );
  });

  it("InvitationSent carries the address's hash and the link's, never the address", () => {
    expect(decide(null, send)[0]?.data).toEqual({
      invitation_id: "inv_1",
      invitee_email_hash: "email-hash",
      invitee_role: "member",
      group_id: null,
      expires_at: LATER.getTime(),
      token_sha256: "hash-1",
    });
  });
});

describe("evolve", () => {
  it("sent by the actor at the event's time; resent with a new link and count; revoked; accepted", () => {
    const [sent] = decide(null, send);
    if (!sent) throw new Error("nothing decided");
    expect(evolve(null, stored(sent, 1))).toEqual({ ...pending, createdAt: T1 });
    const [resent] = decide(pending, { kind: "resend", emailHash: "h", expiresAt: T1, tokenHash: "hash-2" });
    if (!resent) throw new Error("nothing decided");
    expect(evolve(pending, stored(resent, 2))).toEqual({
      ...pending,
      tokenHash: "hash-2",
      expiresAt: T1,
      sendCount: 2,
      version: 2,
    });
    const [revoked] = decide(pending, { kind: "revoke", emailHash: "h" });
    if (!revoked) throw new Error("nothing decided");
    expect(evolve(pending, stored(revoked, 2))).toMatchObject({ status: "revoked", version: 2 });
    const [accepted] = decide(pending, { kind: "accept", emailHash: "h", userId: "usr_2" });
    if (!accepted) throw new Error("nothing decided");
    expect(evolve(pending, stored(accepted, 2))).toMatchObject({ status: "accepted", version: 2 });
    expect(() => evolve(null, stored(accepted, 2))).toThrow(/does not exist/);
  });
});
