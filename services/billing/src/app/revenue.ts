import { ALL_ROWS, inTenant, lookupAcrossTenants } from "@platform/database";
import { InvalidInputError } from "@platform/errors";
import type { Clock } from "@platform/event-sourcing";
import {
  type MonthFigures,
  type MrrChange,
  monthOf,
  nextMonth,
  revenueByMonth,
  type TrialOutcome,
} from "../domain/revenue";
import type { MrrChange as LedgerRow } from "../generated/prisma/client";
import { CROSS_TENANT, type Db, type Tx } from "./tenant";

/** Calendar months (UTC) as YYYY-MM, both included. */
export interface MonthRange {
  from: string;
  to: string;
}

/** The longest range one request computes: ten years of months. */
export const MAX_MONTHS = 120;
/** Without `from`, a year: the month `to` and the eleven before it. */
const DEFAULT_MONTHS = 12;

const monthsFrom = (from: string, to: string) => {
  const [fy, fm] = from.split("-").map(Number) as [number, number];
  const [ty, tm] = to.split("-").map(Number) as [number, number];
  return (ty - fy) * 12 + (tm - fm) + 1;
};

function monthsBefore(month: string, count: number): string {
  const [year, m] = month.split("-").map(Number) as [number, number];
  const index = year * 12 + (m - 1) - count;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

/**
 * The revenue metrics (docs/billing.md, Revenue metrics): the ledger's rows up to the range's end, read
 * in log order, through the domain's `revenueByMonth` (ChartMogul's definitions, written once there).
 * Every figure is a function of the ledger, and the ledger is an inline projection of billing's log, so
 * the figures after a rebuild are the live ones.
 */
export class RevenueMetrics {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** The range asked for, with the defaults (to: this month; from: a year before) and its bounds checked. */
  range(asked: { from?: string; to?: string }): MonthRange {
    const to = asked.to ?? monthOf(this.clock.now());
    const from = asked.from ?? monthsBefore(to, DEFAULT_MONTHS - 1);
    const months = monthsFrom(from, to);
    if (months < 1)
      throw new InvalidInputError("invalid_month_range", `from (${from}) is after to (${to})`, {
        details: { from, to },
      });
    if (months > MAX_MONTHS)
      throw new InvalidInputError(
        "month_range_too_long",
        `${months} months asked for; at most ${MAX_MONTHS} in one request`,
        { details: { from, to, max_months: MAX_MONTHS } },
      );
    return { from, to };
  }

  /** One organization's figures: its own rows only (row-level security in its tenant). */
  async forOrganization(accountId: string, range: MonthRange): Promise<MonthFigures[]> {
    const rows = await inTenant(this.db, accountId, (tx) => this.ledger(tx, range, { accountId }));
    return figuresOf(rows, range);
  }

  /** Every organization's figures together: the platform operator's view (a declared cross-tenant read). */
  async forPlatform(range: MonthRange): Promise<MonthFigures[]> {
    const rows = await this.db.$transaction((tx) =>
      lookupAcrossTenants(tx, CROSS_TENANT.mrrChanges, ALL_ROWS, () => this.ledger(tx, range, {})),
    );
    return figuresOf(rows, range);
  }

  /** The whole history up to the range's end: a month's figures depend on every change before it. */
  private ledger(tx: Tx, range: MonthRange, where: { accountId?: string }): Promise<LedgerRow[]> {
    return tx.mrrChange.findMany({
      where: { ...where, occurredAt: { lt: startOf(nextMonth(range.to)) } },
      orderBy: { position: "asc" },
    });
  }
}

const startOf = (month: string) => new Date(`${month}-01T00:00:00.000Z`);

function figuresOf(rows: readonly LedgerRow[], range: MonthRange): MonthFigures[] {
  const changes: MrrChange[] = rows.map((row) => ({
    account_id: row.accountId,
    at: row.occurredAt,
    mrr_cents: row.mrrCents,
  }));
  const trials: TrialOutcome[] = rows
    .filter((row) => row.trialConverted !== null)
    .map((row) => ({
      account_id: row.accountId,
      at: row.occurredAt,
      converted: row.trialConverted === true,
    }));
  const until = new Date(startOf(nextMonth(range.to)).getTime() - 1);
  return revenueByMonth(changes, trials, until, range.from).filter((month) => month.month >= range.from);
}
