import { classificationProblems } from "../src";

describe("classificationProblems", () => {
  const classes = { eventStore: ["platform_events"], projections: ["people", "traits"] };

  it("finds nothing when every table is in exactly one class", () => {
    expect(classificationProblems(["people", "platform_events", "traits"], classes)).toEqual({
      unclassified: [],
      classifiedTwice: [],
      missing: [],
    });
  });

  it("names a table no class holds, one held twice, and one the database lacks", () => {
    expect(
      classificationProblems(["new_table", "people", "platform_events"], {
        ...classes,
        secrets: ["people"],
      }),
    ).toEqual({ unclassified: ["new_table"], classifiedTwice: ["people"], missing: ["traits"] });
  });
});
