/**
 * Document numbers (docs/billing.md, Numbers): one gapless series per issuer, kind of document and
 * calendar year (UTC) — `INV-2026-000001` for invoices, `CN-2026-000001` for credit notes, their own
 * series so a correction never takes an invoice's place in the invoices' sequence. The series is an
 * aggregate of the event store (`number-series:<issuer>:<series>:<year>`) whose version is the last
 * number given: the number and the document's finalization are appended in one transaction, so a
 * rolled-back finalization gives its number back and a committed one can never be given again.
 */
export type NumberSeries = "INV" | "CN";

const DIGITS = 6;

export function documentNumber(series: NumberSeries, year: number, sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1 || sequence >= 10 ** DIGITS)
    throw new RangeError(`${series} sequence ${sequence} out of range`);
  return `${series}-${year}-${String(sequence).padStart(DIGITS, "0")}`;
}

export const seriesAggregateId = (issuer: string, series: NumberSeries, year: number) =>
  `number-series:${issuer}:${series}:${year}`;
