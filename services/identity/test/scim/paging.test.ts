import { listResponse, parsePaging, toScimUser } from "../../src/scim";
import { BASE_URL, scimErrorOf, userRecord } from "./fixtures";

describe("parsePaging", () => {
  it("defaults to the first 100 results", () => {
    expect(parsePaging({})).toStrictEqual({ startIndex: 1, count: 100 });
  });

  it.each([
    [
      { startIndex: "1", count: "10" },
      { startIndex: 1, count: 10 },
    ],
    [
      { startIndex: "51", count: "50" },
      { startIndex: 51, count: 50 },
    ],
    [{ startIndex: "0" }, { startIndex: 1, count: 100 }],
    [{ startIndex: "-5" }, { startIndex: 1, count: 100 }],
    [{ count: "0" }, { startIndex: 1, count: 0 }],
    [{ count: "-1" }, { startIndex: 1, count: 0 }],
    [{ count: "200" }, { startIndex: 1, count: 200 }],
    [{ count: "201" }, { startIndex: 1, count: 200 }],
    [{ count: "100000000000000000000000" }, { startIndex: 1, count: 200 }],
    [
      { startIndex: " 7 ", count: "+3" },
      { startIndex: 7, count: 3 },
    ],
    [
      { startIndex: "", count: "" },
      { startIndex: 1, count: 100 },
    ],
    [
      { startindex: "3", COUNT: "4" },
      { startIndex: 3, count: 4 },
    ],
    [
      { startIndex: 2, count: 5 },
      { startIndex: 2, count: 5 },
    ],
    [
      { filter: 'userName eq "x"', startIndex: "2" },
      { startIndex: 2, count: 100 },
    ],
  ])("reads %j as %j", (query, expected) => {
    expect(parsePaging(query)).toStrictEqual(expected);
  });

  it("keeps a huge startIndex an exact integer", () => {
    expect(Number.isSafeInteger(parsePaging({ startIndex: "99999999999999999999999" }).startIndex)).toBe(
      true,
    );
  });

  it.each([
    { startIndex: "abc" },
    { startIndex: "1.5" },
    { startIndex: "1e3" },
    { count: "ten" },
    { count: "0x10" },
    { count: "5abc" },
    { count: ["10", "20"] },
    { startIndex: 1.5 },
    { count: true },
  ])("rejects %j with 400 invalidValue", (query) => {
    const error = scimErrorOf(() => parsePaging(query));
    expect(error).toMatchObject({ status: 400, scimType: "invalidValue" });
    expect(error.detail).toMatch(/must be an integer/);
  });
});

describe("listResponse", () => {
  it("wraps a page of resources", () => {
    const user = toScimUser(userRecord(), BASE_URL);
    expect(listResponse([user], { startIndex: 1, totalResults: 3 })).toStrictEqual({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
      totalResults: 3,
      itemsPerPage: 1,
      startIndex: 1,
      Resources: [user],
    });
  });

  it("answers an empty page, e.g. for count=0 or a filter matching nothing", () => {
    expect(listResponse([], { startIndex: 1, totalResults: 0 })).toStrictEqual({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
      totalResults: 0,
      itemsPerPage: 0,
      startIndex: 1,
      Resources: [],
    });
  });
});
