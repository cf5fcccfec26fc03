import { type MrrChange, revenueByMonth } from "../../src/domain/revenue";

const at = (iso: string) => new Date(`${iso}T12:00:00Z`);
const change = (account_id: string, day: string, mrr_cents: number): MrrChange => ({
  account_id,
  at: at(day),
  mrr_cents,
});

describe("revenue metrics by month (ChartMogul's definitions)", () => {
  // January: A and B start paying. February: A expands, C starts, B churns.
  // March: A contracts, B comes back. Figures worked by hand below.
  const changes = [
    change("A", "2026-01-05", 4900),
    change("B", "2026-01-20", 19_900),
    change("A", "2026-02-03", 19_900),
    change("C", "2026-02-10", 4900),
    change("B", "2026-02-25", 0),
    change("A", "2026-03-02", 4900),
    change("B", "2026-03-15", 19_900),
  ];
  const trials = [
    { account_id: "A", at: at("2026-01-05"), converted: true },
    { account_id: "B", at: at("2026-01-20"), converted: true },
    { account_id: "D", at: at("2026-01-28"), converted: false },
  ];
  const [january, february, march] = revenueByMonth(changes, trials, at("2026-03-31"));

  it("classifies each MRR change as new, expansion, contraction, churn or reactivation", () => {
    expect(january).toMatchObject({
      new_cents: 24_800,
      mrr_start_cents: 0,
      mrr_end_cents: 24_800,
      customers_end: 2,
    });
    expect(february).toMatchObject({
      new_cents: 4900,
      expansion_cents: 15_000,
      churn_cents: 19_900,
      churned_customers: 1,
      mrr_start_cents: 24_800,
      mrr_end_cents: 24_800,
    });
    expect(march).toMatchObject({
      contraction_cents: 15_000,
      reactivation_cents: 19_900,
      mrr_end_cents: 29_700,
    });
  });

  it("derives churn rates, NRR, ARPA, LTV and ARR from them", () => {
    expect(february).toMatchObject({
      logo_churn_rate: 0.5, // 1 of the 2 paying at the start
      gross_mrr_churn_rate: 0.802419, // 19,900 / 24,800
      net_mrr_churn_rate: 0.197581, // (19,900 − 15,000) / 24,800
      net_revenue_retention: 0.802419, // (24,800 + 15,000 − 19,900) / 24,800
      arpa_cents: 12_400, // 24,800 / 2 (A and C)
      ltv_cents: 24_800, // 12,400 / 0.5
      arr_end_cents: 297_600,
    });
    expect(january?.ltv_cents).toBeNull(); // nobody churned yet
    expect(march?.net_mrr_churn_rate).toBeCloseTo(-0.197581, 6); // net expansion
  });

  it("counts trial conversion among trials that ended in the month", () => {
    expect(january).toMatchObject({ trials_ended: 3, trials_converted: 2, trial_conversion_rate: 0.666667 });
    expect(february?.trial_conversion_rate).toBeNull();
  });

  it("lists the months from `since` when it is earlier than the first change, with nothing in them", () => {
    const months = revenueByMonth(changes, trials, at("2026-01-31"), "2025-11");
    expect(months.map((m) => m.month)).toEqual(["2025-11", "2025-12", "2026-01"]);
    expect(months[0]).toMatchObject({
      mrr_end_cents: 0,
      customers_end: 0,
      arpa_cents: null,
      ltv_cents: null,
    });
    expect(revenueByMonth([], [], at("2026-02-15"), "2026-01").map((m) => m.month)).toEqual([
      "2026-01",
      "2026-02",
    ]);
    // A later `since` changes nothing: every month from the first change counts for the ones after it.
    expect(revenueByMonth(changes, trials, at("2026-03-31"), "2026-03")).toEqual(
      revenueByMonth(changes, trials, at("2026-03-31")),
    );
  });

  it("takes a platform's whole ledger: 200,000 changes in one call", () => {
    const many = Array.from({ length: 200_000 }, (_, i) =>
      change(
        `acc_${i % 50_000}`,
        `2026-0${1 + Math.floor(i / 50_000)}-1${i % 9}`,
        4900 * (1 + Math.floor(i / 50_000)),
      ),
    );
    const months = revenueByMonth(many, [], at("2026-04-30"));
    expect(months.map((m) => m.mrr_end_cents)).toEqual([245_000_000, 490_000_000, 735_000_000, 980_000_000]);
    expect(months[0]?.new_cents).toBe(245_000_000);
    expect(months[1]?.expansion_cents).toBe(245_000_000);
  });

  it("is the same whatever order the changes are read in (a replay equals the live run)", () => {
    expect(revenueByMonth([...changes].reverse(), trials, at("2026-03-31"))).toEqual(
      revenueByMonth(changes, trials, at("2026-03-31")),
    );
    expect(revenueByMonth([], [], at("2026-03-31"))).toEqual([]);
  });
});
