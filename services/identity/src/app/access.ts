import type { Db, Tx } from "./context";

/**
 * A person's access to an organization as code reads it: the view `account_members` joins identity's
 * facts (account_access, the inline projection of the person's events) with tenancy's
 * (account_memberships, projected from tenancy.events), so neither table has a second writer. Only
 * the people who hold access now are in it (see the migration `account_access_split` for the rules).
 */
export interface Access {
  userId: string;
  accountId: string;
  role: string;
  active: boolean;
  externalId: string | null;
  userName: string | null;
  userNameKey: string | null;
  source: string;
  createdAt: Date;
  updatedAt: Date;
  /** The SCIM ETag: identity's changes plus tenancy's role changes. */
  revision: number;
}

type Client = Db | Tx;

const SELECT = `SELECT user_id AS "userId", account_id AS "accountId", role, active, external_id AS "externalId",
  user_name AS "userName", user_name_key AS "userNameKey", source, created_at AS "createdAt",
  updated_at AS "updatedAt", revision FROM account_members`;

/** The person's access to one organization, or null. */
export async function accessOf(client: Client, userId: string, accountId: string): Promise<Access | null> {
  const [row] = await client.$queryRawUnsafe<Access[]>(
    `${SELECT} WHERE user_id = $1 AND account_id = $2`,
    userId,
    accountId,
  );
  return row ?? null;
}

/** Every organization the person has access to, oldest first; `activeOnly` leaves out suspensions. */
export function accessesOfPerson(client: Client, userId: string, activeOnly = false): Promise<Access[]> {
  return client.$queryRawUnsafe<Access[]>(
    `${SELECT} WHERE user_id = $1 ${activeOnly ? "AND active" : ""} ORDER BY created_at, account_id`,
    userId,
  );
}

/** Everyone with access to the organization, oldest first (the SCIM directory's users). */
export function membersOf(client: Client, accountId: string): Promise<Access[]> {
  return client.$queryRawUnsafe<Access[]>(
    `${SELECT} WHERE account_id = $1 ORDER BY created_at, user_id`,
    accountId,
  );
}

/** The people who hold a role in the organization. */
export async function holdersOf(client: Client, accountId: string, role: string): Promise<string[]> {
  const rows = await client.$queryRawUnsafe<{ user_id: string }[]>(
    "SELECT user_id FROM account_members WHERE account_id = $1 AND role = $2",
    accountId,
    role,
  );
  return rows.map((row) => row.user_id);
}

/** Of these people, those with access to the organization. */
export async function membersAmong(client: Client, accountId: string, userIds: string[]): Promise<string[]> {
  const rows = await client.$queryRawUnsafe<{ user_id: string }[]>(
    "SELECT user_id FROM account_members WHERE account_id = $1 AND user_id = ANY($2::text[])",
    accountId,
    userIds,
  );
  return rows.map((row) => row.user_id);
}

/** How many people have access to the organization (its seats taken). */
export async function memberCount(client: Client, accountId: string): Promise<number> {
  const [row] = await client.$queryRawUnsafe<{ n: number }[]>(
    "SELECT count(*)::int AS n FROM account_members WHERE account_id = $1",
    accountId,
  );
  return row?.n ?? 0;
}

/** Whether the person has access to an organization other than this one. */
export async function memberElsewhere(client: Client, userId: string, accountId: string): Promise<boolean> {
  const [row] = await client.$queryRawUnsafe<{ n: number }[]>(
    "SELECT count(*)::int AS n FROM account_members WHERE user_id = $1 AND account_id <> $2",
    userId,
    accountId,
  );
  return (row?.n ?? 0) > 0;
}

/**
 * Whether someone else in the organization goes by this userName key: their userName, or, without one,
 * their address (which SCIM shows as their userName).
 */
export async function userNameTaken(
  client: Client,
  accountId: string,
  userNameKey: string,
  exceptUserId: string | null,
): Promise<boolean> {
  const [row] = await client.$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM account_members m JOIN users u ON u.id = m.user_id
      WHERE m.account_id = $1 AND ($3::text IS NULL OR m.user_id <> $3)
        AND (m.user_name_key = $2 OR (m.user_name IS NULL AND u.email = $2))`,
    accountId,
    userNameKey,
    exceptUserId,
  );
  return (row?.n ?? 0) > 0;
}
