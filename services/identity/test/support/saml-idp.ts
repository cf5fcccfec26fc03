/**
 * A SAML identity provider for tests: its own RSA key and self-signed certificate, and Responses
 * built and signed the way real IdPs do (exclusive c14n, RSA-SHA256, enveloped signature placed
 * after the Issuer). Everything is a plain string so tests can tamper with it afterwards.
 */

import { randomBytes } from "node:crypto";
import { DOMParser, XMLSerializer } from "@xmldom/xmldom";
import { generate } from "selfsigned";
import { SignedXml } from "xml-crypto";

export const PROTOCOL_NS = "urn:oasis:names:tc:SAML:2.0:protocol";
export const ASSERTION_NS = "urn:oasis:names:tc:SAML:2.0:assertion";
export const DSIG_NS = "http://www.w3.org/2000/09/xmldsig#";
export const NAMEID_EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
export const NAMEID_PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";

export interface SigningIdentity {
  privateKeyPem: string;
  certificatePem: string;
}

export async function createSigningIdentity(commonName: string): Promise<SigningIdentity> {
  const notBeforeDate = new Date(Date.now() - 24 * 3600_000);
  const notAfterDate = new Date(Date.now() + 10 * 365 * 24 * 3600_000);
  const generated = await generate([{ name: "commonName", value: commonName }], {
    keyType: "rsa",
    keySize: 2048,
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate,
  });
  return { privateKeyPem: generated.private, certificatePem: generated.cert };
}

export interface ResponseSpec {
  /** IssueInstant of the response and the assertion; the default validity windows hang off it. */
  issuedAt: Date;
  idpEntityId: string;
  spEntityId: string;
  acsUrl: string;
  nameId: string;
  nameIdFormat?: string;
  /** Both the Response's and the SubjectConfirmationData's, unless overridden below; null = omitted. */
  inResponseTo?: string | null;
  subjectInResponseTo?: string | null;
  responseId?: string;
  assertionId?: string;
  /** Response Destination; null = omitted. Defaults to acsUrl. */
  destination?: string | null;
  recipient?: string;
  /** null = Conditions without an AudienceRestriction. */
  audience?: string | null;
  /** false = no Conditions element at all. */
  conditions?: boolean;
  /** null = the Response carries no Issuer. Defaults to idpEntityId. */
  responseIssuer?: string | null;
  assertionIssuer?: string;
  notBefore?: Date;
  notOnOrAfter?: Date;
  subjectNotOnOrAfter?: Date;
  sessionIndex?: string;
  attributes?: Record<string, string[]>;
  statusCode?: string;
  secondaryStatusCode?: string;
}

export function newId(): string {
  return `_${randomBytes(16).toString("hex")}`;
}

const FIVE_MINUTES = 5 * 60_000;

export function buildResponse(spec: ResponseSpec): string {
  const at = spec.issuedAt.getTime();
  const iso = (ms: number) => new Date(ms).toISOString();
  const responseInResponseTo = spec.inResponseTo ?? null;
  const subjectInResponseTo =
    spec.subjectInResponseTo === undefined ? responseInResponseTo : spec.subjectInResponseTo;
  const destination = spec.destination === undefined ? spec.acsUrl : spec.destination;
  const responseIssuer = spec.responseIssuer === undefined ? spec.idpEntityId : spec.responseIssuer;
  const audience = spec.audience === undefined ? spec.spEntityId : spec.audience;

  const responseAttributes = attrs({
    ID: spec.responseId ?? newId(),
    Version: "2.0",
    IssueInstant: iso(at),
    Destination: destination,
    InResponseTo: responseInResponseTo,
  });
  const confirmationData = attrs({
    InResponseTo: subjectInResponseTo,
    NotOnOrAfter: iso(spec.subjectNotOnOrAfter?.getTime() ?? at + FIVE_MINUTES),
    Recipient: spec.recipient ?? spec.acsUrl,
  });
  const conditions =
    spec.conditions === false
      ? ""
      : `<saml:Conditions${attrs({
          NotBefore: iso(spec.notBefore?.getTime() ?? at - 30_000),
          NotOnOrAfter: iso(spec.notOnOrAfter?.getTime() ?? at + FIVE_MINUTES),
        })}>${
          audience === null
            ? ""
            : `<saml:AudienceRestriction><saml:Audience>${xmlEscape(audience)}</saml:Audience></saml:AudienceRestriction>`
        }</saml:Conditions>`;
  const attributes = Object.entries(spec.attributes ?? {})
    .map(
      ([name, values]) =>
        `<saml:Attribute Name="${xmlEscape(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${values
          .map((value) => `<saml:AttributeValue>${xmlEscape(value)}</saml:AttributeValue>`)
          .join("")}</saml:Attribute>`,
    )
    .join("");
  const status = spec.secondaryStatusCode
    ? `<samlp:StatusCode Value="${xmlEscape(spec.statusCode ?? "urn:oasis:names:tc:SAML:2.0:status:Success")}"><samlp:StatusCode Value="${xmlEscape(spec.secondaryStatusCode)}"/></samlp:StatusCode>`
    : `<samlp:StatusCode Value="${xmlEscape(spec.statusCode ?? "urn:oasis:names:tc:SAML:2.0:status:Success")}"/>`;

  return [
    `<samlp:Response xmlns:samlp="${PROTOCOL_NS}" xmlns:saml="${ASSERTION_NS}"${responseAttributes}>`,
    responseIssuer === null ? "" : `<saml:Issuer>${xmlEscape(responseIssuer)}</saml:Issuer>`,
    `<samlp:Status>${status}</samlp:Status>`,
    `<saml:Assertion xmlns:saml="${ASSERTION_NS}"${attrs({ ID: spec.assertionId ?? newId(), Version: "2.0", IssueInstant: iso(at) })}>`,
    `<saml:Issuer>${xmlEscape(spec.assertionIssuer ?? spec.idpEntityId)}</saml:Issuer>`,
    "<saml:Subject>",
    `<saml:NameID Format="${xmlEscape(spec.nameIdFormat ?? NAMEID_PERSISTENT)}">${xmlEscape(spec.nameId)}</saml:NameID>`,
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${confirmationData}/></saml:SubjectConfirmation>`,
    "</saml:Subject>",
    conditions,
    `<saml:AuthnStatement${attrs({ AuthnInstant: iso(at), SessionIndex: spec.sessionIndex ?? null })}>`,
    "<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>",
    "</saml:AuthnStatement>",
    attributes === "" ? "" : `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>`,
    "</saml:Assertion>",
    "</samlp:Response>",
  ].join("");
}

export interface SignOptions {
  /** Publish the signer's certificate in KeyInfo/X509Data, as most IdPs do. Default true. */
  embedCertificate?: boolean;
}

const SIGNED_ASSERTION = "/*[local-name(.)='Response']/*[local-name(.)='Assertion']";
const RESPONSE = "/*[local-name(.)='Response']";

/** Signs the Response's (single, direct-child) Assertion, signature placed after its Issuer. */
export function signAssertion(xml: string, signer: SigningIdentity, options: SignOptions = {}): string {
  return sign(xml, SIGNED_ASSERTION, `${SIGNED_ASSERTION}/*[local-name(.)='Issuer']`, signer, options);
}

/** Signs the whole Response; sign the assertion first when both are wanted, as IdPs do. */
export function signResponse(xml: string, signer: SigningIdentity, options: SignOptions = {}): string {
  return sign(xml, RESPONSE, `${RESPONSE}/*[local-name(.)='Issuer']`, signer, options);
}

function sign(
  xml: string,
  referenceXPath: string,
  afterXPath: string,
  signer: SigningIdentity,
  options: SignOptions,
): string {
  const signature = new SignedXml({
    privateKey: signer.privateKeyPem,
    publicCert: options.embedCertificate === false ? undefined : signer.certificatePem,
    signatureAlgorithm: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    canonicalizationAlgorithm: "http://www.w3.org/2001/10/xml-exc-c14n#",
  });
  signature.addReference({
    xpath: referenceXPath,
    transforms: [
      "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
      "http://www.w3.org/2001/10/xml-exc-c14n#",
    ],
    digestAlgorithm: "http://www.w3.org/2001/04/xmlenc#sha256",
  });
  signature.computeSignature(xml, { prefix: "ds", location: { reference: afterXPath, action: "after" } });
  return signature.getSignedXml();
}

/** The SAMLResponse form field, as the browser posts it to the ACS. */
export function toPostBinding(xml: string): string {
  return Buffer.from(xml, "utf8").toString("base64");
}

/** Parses, lets the caller rewrite the DOM, serializes: for building tampered messages. */
export function tamper(xml: string, rewrite: (document: Document) => void): string {
  const document = new DOMParser().parseFromString(xml, "text/xml");
  rewrite(document);
  return new XMLSerializer().serializeToString(document);
}

/** The single element with this namespace and local name, or a test failure. */
export function element(scope: Document | Element, namespace: string, localName: string, index = 0): Element {
  const found = scope.getElementsByTagNameNS(namespace, localName).item(index);
  if (found === null) throw new Error(`no ${localName} #${index} in the test message`);
  return found;
}

export class TestIdentityProvider {
  private constructor(
    readonly entityId: string,
    readonly ssoUrl: string,
    readonly signer: SigningIdentity,
  ) {}

  static async create(entityId: string, ssoUrl: string): Promise<TestIdentityProvider> {
    return new TestIdentityProvider(entityId, ssoUrl, await createSigningIdentity("test-idp.example.test"));
  }

  get certificatePem(): string {
    return this.signer.certificatePem;
  }

  /** A Response with its assertion signed by this IdP (and the Response too when asked). */
  signedResponse(spec: Omit<ResponseSpec, "idpEntityId">, options: { signResponse?: boolean } = {}): string {
    const assertionSigned = signAssertion(
      buildResponse({ idpEntityId: this.entityId, ...spec }),
      this.signer,
    );
    return options.signResponse ? signResponse(assertionSigned, this.signer) : assertionSigned;
  }
}

function attrs(values: Record<string, string | null>): string {
  return Object.entries(values)
    .filter((entry): entry is [string, string] => entry[1] !== null)
    .map(([name, value]) => ` ${name}="${xmlEscape(value)}"`)
    .join("");
}

function xmlEscape(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}
