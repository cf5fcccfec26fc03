import { chargeFor, chargeProblems } from "../../src/domain/charges";
import { amountOf, centsAsUnitPrice, shareOf } from "../../src/domain/money";

describe("money in minor units", () => {
  it.each([
    [1, "49.00", 4900],
    [3, "0.333", 100], // 0.999 → 99.9 cents → 100
    [1, "0.005", 1], // half a cent rounds up
    [1, "0.004", 0],
    [100_000, "0.001", 10_000],
    [7, "19.99", 13_993],
  ])("%i × %s = %i cents", (quantity, price, cents) => {
    expect(amountOf(quantity, price)).toBe(cents);
  });

  it("shares by exact decimals, not floats (0.1 + 0.2 trouble never reaches a line)", () => {
    expect(shareOf(4900, 20, 30)).toBe(3267);
    expect(shareOf(19_900, 20, 30)).toBe(13_267);
    expect(shareOf(1, 1, 2)).toBe(1);
    expect(() => shareOf(100, 1, 0)).toThrow(RangeError);
  });

  it("prints cents as the events' major-unit decimal string", () => {
    expect([centsAsUnitPrice(4900), centsAsUnitPrice(-3267), centsAsUnitPrice(5)]).toEqual([
      "49.00",
      "-32.67",
      "0.05",
    ]);
  });
});

describe("charge models", () => {
  const perThousand = { model: "package", package_size: 1000, package_price: "5.00" } as const;
  const storage = {
    model: "graduated",
    tiers: [
      { up_to: 100, unit_price: "0.50" },
      { up_to: null, unit_price: "0.25" },
    ],
  } as const;

  it.each([
    [0, 0, 0],
    [1, 1, 500],
    [1000, 1, 500],
    [1001, 2, 1000],
    [25_000, 25, 12_500],
  ])("package: %i units over are %i packages, %i cents", (units, packages, cents) => {
    const result = chargeFor(perThousand, units);
    expect([result.quantity, result.amount]).toEqual([packages, cents]);
  });

  it.each([
    [0, 0],
    [40, 2000], // 40 × 0.50
    [100, 5000],
    [150, 6250], // 100 × 0.50 + 50 × 0.25
    [1000, 27_500],
  ])("graduated: %i units over cost %i cents", (units, cents) => {
    expect(chargeFor(storage, units).amount).toBe(cents);
  });

  it("adds a tier's flat fee once when usage enters it", () => {
    const withFee = {
      model: "graduated" as const,
      tiers: [
        { up_to: 10, unit_price: "1", flat_fee: "0" },
        { up_to: null, unit_price: "0.5", flat_fee: "20" },
      ],
    };
    expect(chargeFor(withFee, 5).amount).toBe(500);
    expect(chargeFor(withFee, 12).amount).toBe(1000 + 100 + 2000);
  });

  it("refuses negative or fractional quantities", () => {
    expect(() => chargeFor(perThousand, -1)).toThrow(RangeError);
    expect(() => chargeFor(perThousand, 1.5)).toThrow(RangeError);
  });

  it("names what makes a charge unable to price every quantity", () => {
    expect(chargeProblems(storage)).toEqual([]);
    expect(chargeProblems({ model: "package", package_size: 0, package_price: "-5" })).toEqual([
      "package_size must be a whole number ≥ 1",
      'package_price: "-5" is not a unit price',
    ]);
    expect(
      chargeProblems({
        model: "graduated",
        tiers: [
          { up_to: null, unit_price: "1" },
          { up_to: 5, unit_price: "1" },
        ],
      }),
    ).toEqual(["tiers[0]: only the last tier may be open", "the last tier must be open (up_to null)"]);
    expect(
      chargeProblems({
        model: "graduated",
        tiers: [
          { up_to: 10, unit_price: "1" },
          { up_to: 10, unit_price: "1" },
          { up_to: null, unit_price: "1" },
        ],
      }),
    ).toEqual(["tiers[1].up_to must exceed 10"]);
  });
});
