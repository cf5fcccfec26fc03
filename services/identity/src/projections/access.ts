import type { Tx } from "../app/context";
import { type AccessState, evolveAccess, isAccessEvent } from "../domain/access";
import type { PersonEvent } from "../domain/people";

/**
 * `account_access`: identity's facts about a person's access to the organization a person's event
 * names, through `evolveAccess`. Only this handler writes the table; tenancy's facts go to
 * account_memberships (src/projections/read-models.ts).
 */
export async function applyToAccess(tx: Tx, event: PersonEvent): Promise<void> {
  if (!isAccessEvent(event) || !event.data.account_id) return;
  const key = { userId: event.data.user_id, accountId: event.data.account_id };
  const state: AccessState | null = await tx.accountAccess.findUnique({ where: { userId_accountId: key } });
  const next = evolveAccess(state, event);
  if (!next || next === state) return;
  if (state) await tx.accountAccess.update({ where: { userId_accountId: key }, data: next });
  else await tx.accountAccess.create({ data: next });
}

export const ACCESS_TABLES = ["account_access"] as const;

/** Empties account_access for a rebuild. */
export async function resetAccess(tx: Tx): Promise<void> {
  await tx.accountAccess.deleteMany();
}
