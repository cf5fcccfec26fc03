/**
 * What an organization's identity provider (SCIM directory, SAML or OIDC connection) may do with a
 * person, who is global. It vouches for addresses only at the organization's verified domains
 * (tenancy's DNS proof, docs/tenancy.md): a domain an administrator merely types into a connection
 * proves nothing, and would let one organization claim another's people.
 */

/** The part of an address after the @, lower-cased. */
export function domainOf(email: string): string {
  return email.slice(email.lastIndexOf("@") + 1).toLowerCase();
}

/** Whether the provider may give an existing person (who signed up or belongs elsewhere) access. */
export function mayLinkExistingPerson(email: string, verifiedDomains: readonly string[]): boolean {
  return verifiedDomains.includes(domainOf(email));
}

/**
 * Whether the directory owns the person, and so may change their global profile (names, address):
 * it provisioned them into this organization and the organization's verified domains cover their
 * address, before and after the change. Anyone else's profile is theirs to change.
 */
export function directoryOwnsPerson(person: {
  accessSource: string;
  addresses: readonly string[];
  verifiedDomains: readonly string[];
}): boolean {
  return (
    person.accessSource === "scim" &&
    person.addresses.every((address) => person.verifiedDomains.includes(domainOf(address)))
  );
}
