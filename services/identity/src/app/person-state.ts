import type { Tx } from "./context";

/**
 * The person's aggregate version as the inline projection `users` holds it. A command that decides on
 * the person reads it with the rest of the person's state and appends after it; once a transaction has
 * appended to the person, the row is its own until commit, so reading it again gives its own version.
 */
export async function personVersion(tx: Tx, userId: string): Promise<number> {
  const { version } = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { version: true } });
  return version;
}
