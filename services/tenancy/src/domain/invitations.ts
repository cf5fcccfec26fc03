import type { TenancyPayloads } from "@platform/contracts";
import { ConflictError } from "@platform/errors";
import { type Decided, TenancyEvent } from "./events";

/**
 * The invitation aggregate: an e-mail invitation to join the organization, sent, resent with a new
 * link, revoked, or accepted through identity. Pure rules, no I/O: `decide` turns a command and the
 * state it read into events, `evolve` folds an event into the `invitations` row. The invitee's address
 * is not state the log can give back (events carry only its hash): it stays in the secret store.
 */
type InvitationSent = TenancyPayloads[typeof TenancyEvent.InvitationSent];
type InvitationResent = TenancyPayloads[typeof TenancyEvent.InvitationResent];
type InvitationRevoked = TenancyPayloads[typeof TenancyEvent.InvitationRevoked];
type InvitationAccepted = TenancyPayloads[typeof TenancyEvent.InvitationAccepted];

export interface InvitationState {
  id: string;
  accountId: string;
  role: string;
  groupId: string | null;
  /** SHA-256 of the link's secret (in InvitationSent/Resent: identity checks links with it). */
  tokenHash: string | null;
  expiresAt: Date;
  /** pending, accepted, revoked */
  status: string;
  sendCount: number;
  invitedBy: string;
  createdAt: Date;
  /** The version of the invitation's last event. */
  version: number;
}

/** `emailHash`: SHA-256 of the invitee's address, read from the secret store (what events carry). */
export type InvitationCommand =
  | {
      kind: "send";
      id: string;
      emailHash: string;
      role: string;
      groupId: string | null;
      expiresAt: Date;
      tokenHash: string;
    }
  | { kind: "resend"; emailHash: string; expiresAt: Date; tokenHash: string }
  | { kind: "revoke"; emailHash: string }
  | { kind: "accept"; emailHash: string; userId: string };

export type InvitationEvent =
  | { type: typeof TenancyEvent.InvitationSent; data: Decided<InvitationSent> }
  | { type: typeof TenancyEvent.InvitationResent; data: Decided<InvitationResent> }
  | { type: typeof TenancyEvent.InvitationRevoked; data: Decided<InvitationRevoked> }
  | { type: typeof TenancyEvent.InvitationAccepted; data: Decided<InvitationAccepted> };

const notPending = (state: InvitationState) =>
  new ConflictError("invitation_not_pending", `invitation ${state.id} is ${state.status}`);

/** The events a command implies on the invitation as read (null: not sent yet). */
export function decide(state: InvitationState | null, command: InvitationCommand): InvitationEvent[] {
  if (command.kind === "send") {
    if (state) throw new ConflictError("invitation_exists", `invitation ${command.id} exists`);
    return [
      {
        type: TenancyEvent.InvitationSent,
        data: {
          invitation_id: command.id,
          invitee_email_hash: command.emailHash,
          invitee_role: command.role,
          group_id: command.groupId,
          expires_at: command.expiresAt.getTime(),
          token_sha256: command.tokenHash,
        },
      },
    ];
  }
  if (!state) throw new Error(`decide: ${command.kind} on an invitation that does not exist`);
  const header = {
    invitation_id: state.id,
    invitee_email_hash: command.emailHash,
    invitee_role: state.role,
    group_id: state.groupId,
    expires_at: state.expiresAt.getTime(),
  };
  switch (command.kind) {
    case "resend":
      // A new link with a new expiry: the old secret is not kept, so the old link stops working.
      if (state.status !== "pending") throw notPending(state);
      return [
        {
          type: TenancyEvent.InvitationResent,
          data: {
            ...header,
            expires_at: command.expiresAt.getTime(),
            send_count: state.sendCount + 1,
            token_sha256: command.tokenHash,
          },
        },
      ];
    case "revoke":
      if (state.status !== "pending") throw notPending(state);
      return [{ type: TenancyEvent.InvitationRevoked, data: header }];
    case "accept":
      // identity's user.joined may arrive again (redelivery): an invitation no longer pending is done.
      if (state.status !== "pending") return [];
      return [{ type: TenancyEvent.InvitationAccepted, data: { ...header, user_id: command.userId } }];
  }
}

/** A stored event of the invitation: its payload, version and time. */
export type InvitationHistoryEvent = { version: number; occurredAt: Date } & (
  | { type: typeof TenancyEvent.InvitationSent; data: InvitationSent }
  | { type: typeof TenancyEvent.InvitationResent; data: InvitationResent }
  | { type: typeof TenancyEvent.InvitationRevoked; data: InvitationRevoked }
  | { type: typeof TenancyEvent.InvitationAccepted; data: InvitationAccepted }
);

/** An event of the invitation folded into its state; times come from the event, never the wall clock. */
export function evolve(state: InvitationState | null, event: InvitationHistoryEvent): InvitationState {
  if (event.type === TenancyEvent.InvitationSent) {
    const { data } = event;
    return {
      id: data.invitation_id,
      accountId: data.account_id,
      role: data.invitee_role,
      groupId: data.group_id,
      // Invitations sent before InvitationSent v2 carry no hash: their links no longer open.
      tokenHash: data.token_sha256 ?? null,
      expiresAt: new Date(data.expires_at),
      status: "pending",
      sendCount: 1,
      invitedBy: data.actor.id ?? data.actor.type,
      createdAt: event.occurredAt,
      version: event.version,
    };
  }
  if (!state) throw new Error(`evolve: ${event.type} on an invitation that does not exist`);
  const next = { ...state, version: event.version };
  switch (event.type) {
    case TenancyEvent.InvitationResent:
      return {
        ...next,
        tokenHash: event.data.token_sha256 ?? null,
        expiresAt: new Date(event.data.expires_at),
        sendCount: event.data.send_count,
      };
    case TenancyEvent.InvitationRevoked:
      return { ...next, status: "revoked" };
    case TenancyEvent.InvitationAccepted:
      return { ...next, status: "accepted" };
  }
}
