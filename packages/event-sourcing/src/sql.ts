/**
 * The kit reaches the service's database through the two raw-SQL methods every Prisma client and
 * interactive-transaction client has, so it works with each service's own generated client and
 * joins the service's transactions instead of opening its own.
 */
export interface SqlClient {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

export interface TransactionOptions {
  maxWait?: number;
  timeout?: number;
}

/** A service's Prisma client: `Tx` is its transaction client type, handed on to handlers. */
export interface TransactionalDatabase<Tx extends SqlClient> {
  $transaction<R>(fn: (tx: Tx) => Promise<R>, options?: TransactionOptions): Promise<R>;
}
