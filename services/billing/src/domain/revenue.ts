import Big from "big.js";
import type { Cents } from "./money";

/**
 * Revenue metrics from a replay of MRR changes, with ChartMogul's definitions (docs/billing.md). The
 * input is every change of an account's MRR in time order (what the subscription events carry as
 * mrr_cents and previous_mrr_cents); the output is per calendar month (UTC), so a rebuild from the log
 * gives the same figures as the live run.
 */
export interface MrrChange {
  account_id: string;
  at: Date;
  mrr_cents: Cents;
}

export interface TrialOutcome {
  account_id: string;
  at: Date;
  converted: boolean;
}

export interface MonthFigures {
  /** YYYY-MM. */
  month: string;
  mrr_start_cents: Cents;
  mrr_end_cents: Cents;
  arr_end_cents: Cents;
  /** A first paid MRR. */
  new_cents: Cents;
  /** MRR growth of an account that paid before and still does. */
  expansion_cents: Cents;
  /** MRR shrink of an account that still pays. */
  contraction_cents: Cents;
  /** MRR lost by accounts that stopped paying. */
  churn_cents: Cents;
  /** MRR of accounts that paid before, stopped, and pay again. */
  reactivation_cents: Cents;
  customers_start: number;
  customers_end: number;
  churned_customers: number;
  /** Churned customers ÷ customers at the month's start; null with none at the start. */
  logo_churn_rate: number | null;
  /** (churn + contraction) ÷ MRR at the month's start. */
  gross_mrr_churn_rate: number | null;
  /** (churn + contraction − expansion − reactivation) ÷ MRR at the month's start; negative is net expansion. */
  net_mrr_churn_rate: number | null;
  /** (MRR at start + expansion + reactivation − contraction − churn) ÷ MRR at start: what last month's customers pay now. */
  net_revenue_retention: number | null;
  /** MRR at the month's end ÷ paying customers then. */
  arpa_cents: Cents | null;
  /** ARPA ÷ logo churn rate; null while nobody churned. */
  ltv_cents: Cents | null;
  trials_ended: number;
  trials_converted: number;
  /** Converted ÷ ended trials in the month. */
  trial_conversion_rate: number | null;
}

export const monthOf = (at: Date) => at.toISOString().slice(0, 7);

const ratio = (numerator: number, denominator: number): number | null =>
  denominator === 0 ? null : new Big(numerator).div(denominator).round(6, Big.roundHalfUp).toNumber();

export function nextMonth(month: string): string {
  const [year, m] = month.split("-").map(Number) as [number, number];
  return m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, "0")}`;
}

/**
 * The months from the first change (or trial) to `until`, inclusive, each with its figures; with
 * `since` (YYYY-MM), from that month when it is earlier, so a range that starts before any revenue
 * lists its empty months too. Every change before a month counts for it (MRR at its start, who paid
 * before), so callers pass the whole history up to `until` and pick the months they show.
 */
export function revenueByMonth(
  changes: readonly MrrChange[],
  trials: readonly TrialOutcome[],
  until: Date,
  since?: string,
): MonthFigures[] {
  const sorted = [...changes].sort((a, b) => a.at.getTime() - b.at.getTime());
  // A loop, not Math.min(...): the operator's ledger can hold more rows than a call takes arguments.
  let earliest = Number.POSITIVE_INFINITY;
  for (const entry of [...sorted, ...trials]) earliest = Math.min(earliest, entry.at.getTime());
  if (earliest === Number.POSITIVE_INFINITY && since === undefined) return [];
  const first = earliest === Number.POSITIVE_INFINITY ? undefined : monthOf(new Date(earliest));
  const start = since !== undefined && (first === undefined || since < first) ? since : (first as string);
  const mrr = new Map<string, Cents>();
  const everPaid = new Set<string>();
  const months: MonthFigures[] = [];
  let cursor = 0;
  const total = () => [...mrr.values()].reduce((sum, value) => sum + value, 0);
  const paying = () => [...mrr.values()].filter((value) => value > 0).length;
  for (let month = start; month <= monthOf(until); month = nextMonth(month)) {
    const figures = {
      new_cents: 0,
      expansion_cents: 0,
      contraction_cents: 0,
      churn_cents: 0,
      reactivation_cents: 0,
      churned_customers: 0,
    };
    const mrrStart = total();
    const customersStart = paying();
    while (cursor < sorted.length && monthOf((sorted[cursor] as MrrChange).at) === month) {
      const change = sorted[cursor] as MrrChange;
      cursor += 1;
      const before = mrr.get(change.account_id) ?? 0;
      const after = change.mrr_cents;
      if (before === 0 && after > 0) {
        if (everPaid.has(change.account_id)) figures.reactivation_cents += after;
        else figures.new_cents += after;
        everPaid.add(change.account_id);
      } else if (before > 0 && after === 0) {
        figures.churn_cents += before;
        figures.churned_customers += 1;
      } else if (after > before) figures.expansion_cents += after - before;
      else if (after < before) figures.contraction_cents += before - after;
      mrr.set(change.account_id, after);
    }
    const ended = trials.filter((trial) => monthOf(trial.at) === month);
    const converted = ended.filter((trial) => trial.converted).length;
    const mrrEnd = total();
    const customersEnd = paying();
    const logoChurn = ratio(figures.churned_customers, customersStart);
    const arpa = customersEnd === 0 ? null : Math.round(mrrEnd / customersEnd);
    months.push({
      month,
      mrr_start_cents: mrrStart,
      mrr_end_cents: mrrEnd,
      arr_end_cents: mrrEnd * 12,
      ...figures,
      customers_start: customersStart,
      customers_end: customersEnd,
      logo_churn_rate: logoChurn,
      gross_mrr_churn_rate: ratio(figures.churn_cents + figures.contraction_cents, mrrStart),
      net_mrr_churn_rate: ratio(
        figures.churn_cents +
          figures.contraction_cents -
          figures.expansion_cents -
          figures.reactivation_cents,
        mrrStart,
      ),
      net_revenue_retention: ratio(
        mrrStart +
          figures.expansion_cents +
          figures.reactivation_cents -
          figures.contraction_cents -
          figures.churn_cents,
        mrrStart,
      ),
      arpa_cents: arpa,
      ltv_cents: arpa === null || !logoChurn ? null : Math.round(arpa / logoChurn),
      trials_ended: ended.length,
      trials_converted: converted,
      trial_conversion_rate: ratio(converted, ended.length),
    });
  }
  return months;
}
