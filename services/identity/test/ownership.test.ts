import { directoryOwnsPerson, domainOf, mayLinkExistingPerson } from "../src/domain/ownership";
import { hasFreeSeat, seatLimitDetail } from "../src/domain/seats";

const verifiedDomains = ["acme.com"];

describe("whom an organization's identity provider may vouch for", () => {
  it("compares the exact domain of the address, lower-cased", () => {
    expect(domainOf("Ada@ACME.com")).toBe("acme.com");
    expect(mayLinkExistingPerson("ada@acme.com", verifiedDomains)).toBe(true);
    expect(mayLinkExistingPerson("ada@eng.acme.com", verifiedDomains)).toBe(false);
    expect(mayLinkExistingPerson("ada@acme.com.evil.test", verifiedDomains)).toBe(false);
    expect(mayLinkExistingPerson("ada@acme.com", [])).toBe(false);
  });

  it.each([
    ["provisioned at a verified domain", "scim", ["ada@acme.com"], true],
    ["moved to another verified address", "scim", ["ada@acme.com", "ada.l@acme.com"], true],
    ["moved outside the verified domains", "scim", ["ada@acme.com", "ada@gmail.com"], false],
    ["provisioned outside the verified domains", "scim", ["ada@gmail.com"], false],
    ["joined by invitation", "invitation", ["ada@acme.com"], false],
    ["provisioned by SAML", "saml", ["ada@acme.com"], false],
  ])("a directory owns a person %s: %s", (_case, accessSource, addresses, owns) => {
    expect(directoryOwnsPerson({ accessSource, addresses, verifiedDomains })).toBe(owns);
  });
});

describe("seats", () => {
  it("counts members and pending invitations against the limit (-1 unlimited)", () => {
    expect(hasFreeSeat({ limit: 3, members: 2, pendingInvitations: 0 })).toBe(true);
    expect(hasFreeSeat({ limit: 3, members: 2, pendingInvitations: 1 })).toBe(false);
    expect(hasFreeSeat({ limit: -1, members: 99, pendingInvitations: 9 })).toBe(true);
    expect(seatLimitDetail({ limit: 3, members: 2, pendingInvitations: 1 })).toBe(
      "seat limit reached: the plan allows 3 users and 2 members plus 1 pending invitations hold them; remove someone or raise the plan's limit",
    );
  });
});
