import type { IdentityPayloads } from "@platform/contracts";
import type { InlineHandler, InlineHandlers, StoredEvent } from "@platform/event-sourcing";
import type { Tx } from "../app/context";
import { IdentityEvent } from "../domain/events";
import { evolvePerson, PERSON_EVENTS, type PersonEvent, type PersonEventType } from "../domain/people";
import { ACCESS_TABLES, applyToAccess, resetAccess } from "./access";

/**
 * `users`: every event of a person's aggregate goes through `evolvePerson`, so the row's version is
 * always the aggregate's (and `account_access` through `evolveAccess`, for the events that change a
 * person's access). A new person is created (a duplicate address fails on the unique index, as
 * a concurrent sign-up should); everyone else is updated.
 */
async function applyToPerson(tx: Tx, event: PersonEvent): Promise<void> {
  const id = event.data.user_id;
  const state = await tx.user.findUnique({ where: { id } });
  const next = evolvePerson(state, event);
  if (state) await tx.user.update({ where: { id }, data: next });
  else await tx.user.create({ data: next });
  await applyToAccess(tx, event);
}

function personHandler<Type extends PersonEventType>(type: Type): InlineHandler<Tx, IdentityPayloads[Type]> {
  return (tx, event: StoredEvent<IdentityPayloads[Type]>) =>
    // The store calls this only with events of `type`, whose payload is `IdentityPayloads[Type]`;
    // TypeScript cannot correlate the two halves of the union on its own.
    applyToPerson(tx, {
      type,
      version: event.version,
      occurredAt: event.occurredAt,
      data: event.data,
    } as PersonEvent);
}

/** `invitation_acceptances`: the link a person joined by, so it works once (src/app/invitations.ts). */
const invitationAccepted: InlineHandler<Tx, IdentityPayloads[typeof IdentityEvent.UserJoined]> = async (
  tx,
  event,
) => {
  await tx.invitationAcceptance.create({
    data: {
      invitationId: event.data.invitation_id,
      userId: event.data.user_id,
      acceptedAt: event.occurredAt,
    },
  });
};

const joined = personHandler(IdentityEvent.UserJoined);

/** The inline handlers of people: `users`, `account_access` and `invitation_acceptances`. */
export const personHandlers: InlineHandlers<Tx, IdentityPayloads> = {
  ...Object.fromEntries(PERSON_EVENTS.map((type) => [type, personHandler(type)])),
  [IdentityEvent.UserJoined]: async (tx, event) => {
    await joined(tx, event);
    await invitationAccepted(tx, event);
  },
};

export const PERSON_TABLES = ["users", ...ACCESS_TABLES, "invitation_acceptances"] as const;

/** Empties the people tables for a rebuild (account_access's key to users is checked at commit). */
export async function resetPeople(tx: Tx): Promise<void> {
  await resetAccess(tx);
  await tx.invitationAcceptance.deleteMany();
  await tx.user.deleteMany();
}
