/**
 * SAML 2.0 Web Browser SSO, service-provider side: AuthnRequests out (HTTP-Redirect binding) and
 * Responses in (HTTP-POST binding).
 *
 * XML-DSig and the assertion-level checks it has are left to @node-saml/node-saml (5.1.0: after the
 * 2025 signature-bypass fixes); this module pins the trust anchor, makes the library strict, and adds
 * what it does not check for an AuthnResponse (see validateSamlResponse). Every value we return is
 * read from the bytes the signature covers, never from the posted document around them.
 */

import { randomBytes, X509Certificate } from "node:crypto";
import {
  type CacheProvider,
  type Profile,
  SAML,
  type SamlConfig,
  ValidateInResponseTo,
} from "@node-saml/node-saml";
// The library's own parser: the envelope checks below see the document exactly as the signature
// check did, so the two can never disagree about what the message says.
import { parseDomFromString } from "@node-saml/node-saml/lib/xml";
import { type ErrorOptions, InvalidInputError, PlatformError } from "@platform/errors";

export interface SamlConnectionSettings {
  /** Our SP entity id: the Audience every assertion must be restricted to. */
  spEntityId: string;
  /** Our Assertion Consumer Service URL: the expected Recipient and Destination. */
  acsUrl: string;
  /** The expected Issuer of responses and assertions. */
  idpEntityId: string;
  /** Where AuthnRequests go. */
  idpSsoUrl: string;
  /** The organization's pinned IdP signing certificate (PEM): the only key ever trusted. */
  idpCertificatePem: string;
}

export interface SamlAssertion {
  assertionId: string;
  nameId: string;
  email: string | null;
  givenName: string | null;
  familyName: string | null;
  sessionIndex: string | null;
  inResponseTo: string | null;
  /** The earliest of the bearer confirmation's and the Conditions' NotOnOrAfter. */
  notOnOrAfter: Date;
  issuer: string;
}

/** Answers true the first time an assertion id is seen (and records it until expiresAt), false on a replay. */
export type AssertionReplayGuard = (assertionId: string, expiresAt: Date) => Promise<boolean>;

export interface ValidateSamlResponseInput {
  /** The base64 SAMLResponse form field as posted to the ACS. */
  samlResponse: string;
  /** The AuthnRequest id we issued (from our own state); null = IdP-initiated. */
  expectedRequestId: string | null;
  replayGuard: AssertionReplayGuard;
  now?: Date;
  clockSkewMs?: number;
  /** IdP-initiated SSO has no request to bind the response to; refused unless a connection opts in. */
  allowIdpInitiated?: boolean;
}

/** Stable codes (public API: clients and dashboards key on them). */
export const SAML_REJECTION_CODES = [
  "saml_malformed",
  "saml_idp_error",
  "saml_signature_invalid",
  "saml_audience_mismatch",
  "saml_recipient_mismatch",
  "saml_issuer_mismatch",
  "saml_expired",
  "saml_not_yet_valid",
  "saml_in_response_to_mismatch",
  "saml_unsolicited",
  "saml_replayed",
] as const;
export type SamlRejectionCode = (typeof SAML_REJECTION_CODES)[number];

/**
 * A SAML Response we will not log anyone in with. Messages are fixed texts: never the posted XML,
 * never the library's own message (which can quote it).
 */
export class SamlRejectedError extends PlatformError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super("unauthenticated", code, message, options);
  }
}

export const DEFAULT_CLOCK_SKEW_MS = 60_000;
/** Far above any real Response (a few KB, tens with large group lists), far below a memory problem. */
const MAX_SAML_RESPONSE_BASE64_LENGTH = 1_048_576;
/** SAML bindings §3.4.3 / §3.5.3: RelayState MUST NOT exceed 80 bytes. */
const MAX_RELAY_STATE_BYTES = 80;

const PROTOCOL_NS = "urn:oasis:names:tc:SAML:2.0:protocol";
const ASSERTION_NS = "urn:oasis:names:tc:SAML:2.0:assertion";
const DSIG_NS = "http://www.w3.org/2000/09/xmldsig#";
const STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success";
const BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
const NAMEID_EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";

const EMAIL_ATTRIBUTES = [
  "email",
  "mail",
  "emailAddress",
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
  "urn:oid:0.9.2342.19200300.100.1.3",
];
const GIVEN_NAME_ATTRIBUTES = [
  "givenName",
  "firstName",
  "first_name",
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
  "urn:oid:2.5.4.42",
];
const FAMILY_NAME_ATTRIBUTES = [
  "familyName",
  "surname",
  "sn",
  "lastName",
  "last_name",
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
  "urn:oid:2.5.4.4",
];

export async function createAuthnRequest(
  settings: SamlConnectionSettings,
  options: { relayState?: string },
): Promise<{ url: string; requestId: string }> {
  const pinned = pinnedCertificateOf(settings);
  const relayState = options.relayState ?? "";
  if (Buffer.byteLength(relayState, "utf8") > MAX_RELAY_STATE_BYTES) {
    throw new InvalidInputError(
      "saml_relay_state_too_long",
      `RelayState must be at most ${MAX_RELAY_STATE_BYTES} bytes`,
    );
  }
  const requestId = `_${randomBytes(20).toString("hex")}`;
  const saml = new SAML({
    ...commonOptions(settings, pinned),
    entryPoint: settings.idpSsoUrl,
    generateUniqueId: () => requestId,
    // Let the IdP pick its NameID format and authentication method: asking for emailAddress or an
    // exact PasswordProtectedTransport makes some IdPs refuse users who log in with MFA or a smart card.
    identifierFormat: null,
    disableRequestedAuthnContext: true,
  });
  const url = await saml.getAuthorizeUrlAsync(relayState, undefined, {});
  return { url, requestId };
}

/**
 * Validates a posted SAML Response and answers the signed assertion's facts, or throws
 * SamlRejectedError. Beyond what node-saml checks (signature with the pinned certificate only,
 * exactly one assertion, the assertion itself signed, Audience), this checks, on the signed bytes:
 * Issuer, the bearer SubjectConfirmation's Recipient / NotOnOrAfter / InResponseTo, Conditions
 * NotBefore / NotOnOrAfter and IssueInstant against `now`, and one-time use; and on the envelope:
 * Status, Destination, Issuer and InResponseTo when present.
 */
export async function validateSamlResponse(
  settings: SamlConnectionSettings,
  input: ValidateSamlResponseInput,
): Promise<SamlAssertion> {
  const pinned = pinnedCertificateOf(settings);
  const window = clockWindow(input);
  if (input.expectedRequestId === null && input.allowIdpInitiated !== true) {
    reject("saml_unsolicited", "IdP-initiated SAML login is not enabled for this connection");
  }

  const base64 = normalizeBase64(input.samlResponse);
  const envelope = await readEnvelope(decodeUtf8(base64));
  const { assertion, attributes } = await verifiedAssertion(settings, pinned, base64, envelope);
  const checked = checkAssertion(settings, envelope, assertion, window, input.expectedRequestId);

  // Only now: a message that fails any other check must not use up its id.
  const firstUse = await input.replayGuard(
    checked.assertionId,
    new Date(checked.notOnOrAfter + window.skewMs),
  );
  if (!firstUse) reject("saml_replayed", "this assertion has already been used");

  const nameIdFormat = attribute(checked.nameIdNode, "Format");
  return {
    assertionId: checked.assertionId,
    nameId: checked.nameId,
    email:
      emailOrNull(firstAttribute(attributes, EMAIL_ATTRIBUTES)) ??
      (nameIdFormat === NAMEID_EMAIL ? emailOrNull(checked.nameId) : null),
    givenName: firstAttribute(attributes, GIVEN_NAME_ATTRIBUTES),
    familyName: firstAttribute(attributes, FAMILY_NAME_ATTRIBUTES),
    sessionIndex: attribute(only(children(assertion, "AuthnStatement")), "SessionIndex") ?? null,
    inResponseTo: checked.inResponseTo,
    notOnOrAfter: new Date(checked.notOnOrAfter),
    issuer: checked.issuer,
  };
}

function clockWindow(input: ValidateSamlResponseInput): ClockWindow {
  const nowMs = (input.now ?? new Date()).getTime();
  const skewMs = input.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
  if (!Number.isFinite(nowMs) || !Number.isFinite(skewMs) || skewMs < 0) {
    throw new InvalidInputError("saml_validation_options_invalid", "now and clockSkewMs must be valid");
  }
  return { nowMs, skewMs };
}

/** node-saml's verdict on the signatures, and the assertion parsed from exactly the signed bytes. */
async function verifiedAssertion(
  settings: SamlConnectionSettings,
  pinned: string,
  base64: string,
  envelope: Envelope,
): Promise<{ assertion: XmlJs; attributes: XmlJs }> {
  const saml = new PinnedCertificateSaml({
    ...commonOptions(settings, pinned),
    wantAssertionsSigned: true,
    // A Response signature is optional, but one that is present must verify: an envelope signed by
    // someone else around a genuine assertion is an attack, not noise.
    wantAuthnResponseSigned: envelope.signed,
    // node-saml reads the process clock and only checks the confirmation's time window when it also
    // checks InResponseTo against its own request cache; both are done in checkAssertion against `now`.
    acceptedClockSkewMs: -1,
    validateInResponseTo: ValidateInResponseTo.never,
  });
  let profile: Profile | null;
  try {
    ({ profile } = await saml.validatePostResponseAsync({ SAMLResponse: base64 }));
  } catch {
    throw rejectionFromLibrary(saml);
  }
  if (profile === null || typeof profile.getAssertion !== "function") {
    reject("saml_malformed", "the SAML response carries no assertion");
  }
  const assertion = child(profile.getAssertion(), "Assertion");
  if (assertion === undefined) reject("saml_malformed", "the signed content is not an assertion");
  return { assertion, attributes: isRecord(profile.attributes) ? profile.attributes : {} };
}

interface CheckedAssertion {
  assertionId: string;
  issuer: string;
  nameId: string;
  nameIdNode: XmlJs | undefined;
  inResponseTo: string | null;
  notOnOrAfter: number;
}

function checkAssertion(
  settings: SamlConnectionSettings,
  envelope: Envelope,
  assertion: XmlJs,
  window: ClockWindow,
  expectedRequestId: string | null,
): CheckedAssertion {
  const issuer = text(only(children(assertion, "Issuer")))?.trim();
  if (issuer !== settings.idpEntityId)
    reject("saml_issuer_mismatch", "the assertion was issued by another IdP");
  if (envelope.issuer !== null && envelope.issuer !== settings.idpEntityId) {
    reject("saml_issuer_mismatch", "the response was issued by another IdP");
  }
  if (envelope.destination !== null && envelope.destination !== settings.acsUrl) {
    reject("saml_recipient_mismatch", "the response was sent to another consumer service");
  }
  if (attribute(assertion, "Version") !== "2.0") reject("saml_malformed", "the assertion is not SAML 2.0");
  const assertionId = attribute(assertion, "ID");
  if (assertionId === undefined || assertionId === "") reject("saml_malformed", "the assertion has no ID");

  const issueInstant = requiredInstant(attribute(assertion, "IssueInstant"), "IssueInstant");
  if (issueInstant > window.nowMs + window.skewMs) {
    reject("saml_not_yet_valid", "the assertion was issued in the future");
  }

  const subject = only(children(assertion, "Subject"));
  const nameIdNode = only(children(subject, "NameID"));
  const nameId = text(nameIdNode)?.trim();
  if (nameId === undefined || nameId === "") reject("saml_malformed", "the assertion has no NameID");

  const confirmation = bearerConfirmation(subject, settings, window);
  const inResponseTo = checkInResponseTo(expectedRequestId, envelope.inResponseTo, confirmation.inResponseTo);

  let notOnOrAfter = confirmation.notOnOrAfter;
  const conditionsList = children(assertion, "Conditions");
  if (conditionsList.length > 1) reject("saml_malformed", "the assertion has more than one Conditions");
  const conditions = conditionsList[0];
  if (conditions !== undefined) {
    checkWindow(conditions, window, "the assertion's conditions");
    const conditionsEnd = optionalInstant(attribute(conditions, "NotOnOrAfter"), "NotOnOrAfter");
    if (conditionsEnd !== null && conditionsEnd < notOnOrAfter) notOnOrAfter = conditionsEnd;
  }
  return { assertionId, issuer, nameId, nameIdNode, inResponseTo, notOnOrAfter };
}

/**
 * node-saml reports every failure as a plain Error. Its processValidlySignedAssertionAsync runs only
 * once the signature checks have passed, and checkAudienceValidityError is its audience check: these
 * two hooks classify a failure without parsing the library's messages.
 */
class PinnedCertificateSaml extends SAML {
  signatureVerified = false;
  audienceRejected = false;

  protected override async processValidlySignedAssertionAsync(
    this: PinnedCertificateSaml,
    xml: string,
    samlResponseXml: string,
    inResponseTo: string | null,
  ): Promise<{ profile: Profile; loggedOut: boolean }> {
    this.signatureVerified = true;
    return super.processValidlySignedAssertionAsync(xml, samlResponseXml, inResponseTo);
  }

  protected override checkAudienceValidityError(
    ...args: Parameters<SAML["checkAudienceValidityError"]>
  ): Error | null {
    const error = super.checkAudienceValidityError(...args);
    if (error !== null) this.audienceRejected = true;
    return error;
  }
}

/** Request ids are the caller's state (expectedRequestId); node-saml must keep none of its own. */
const NO_REQUEST_CACHE: CacheProvider = {
  saveAsync: async () => null,
  getAsync: async () => null,
  removeAsync: async () => null,
};

function commonOptions(settings: SamlConnectionSettings, pinnedPem: string): SamlConfig {
  return {
    issuer: settings.spEntityId,
    audience: settings.spEntityId,
    callbackUrl: settings.acsUrl,
    idpIssuer: settings.idpEntityId,
    // A single pinned certificate, never a function or list, so nothing from the message can add a key.
    idpCert: pinnedPem,
    cacheProvider: NO_REQUEST_CACHE,
  };
}

/** Checks the connection settings and answers the one certificate we trust, re-encoded by node:crypto. */
function pinnedCertificateOf(settings: SamlConnectionSettings): string {
  for (const key of ["spEntityId", "acsUrl", "idpEntityId", "idpSsoUrl"] as const) {
    if (typeof settings[key] !== "string" || settings[key].trim() === "") {
      throw new InvalidInputError("saml_settings_invalid", `SAML connection setting ${key} is empty`);
    }
  }
  const pem = settings.idpCertificatePem;
  const blocks = typeof pem === "string" ? pem.match(/-----BEGIN CERTIFICATE-----/g) : null;
  if (blocks?.length !== 1) {
    throw new InvalidInputError(
      "saml_settings_invalid",
      "the IdP certificate must be exactly one PEM CERTIFICATE block",
    );
  }
  try {
    return new X509Certificate(pem).toString();
  } catch {
    throw new InvalidInputError(
      "saml_settings_invalid",
      "the IdP certificate is not a valid X.509 certificate",
    );
  }
}

function reject(code: SamlRejectionCode, message: string): never {
  throw new SamlRejectedError(code, message);
}

/** The library's message is deliberately dropped: it can quote values from the posted document. */
function rejectionFromLibrary(saml: PinnedCertificateSaml): SamlRejectedError {
  if (!saml.signatureVerified) {
    return new SamlRejectedError(
      "saml_signature_invalid",
      "the SAML response is not validly signed by the IdP",
    );
  }
  if (saml.audienceRejected) {
    return new SamlRejectedError(
      "saml_audience_mismatch",
      "the assertion is not meant for this service provider",
    );
  }
  return new SamlRejectedError("saml_malformed", "the signed assertion could not be processed");
}

// ---------------------------------------------------------------------------------------------
// The envelope: the Response element around the assertion. Unsigned when only the assertion is,
// so nothing read here is ever returned; it can only make us refuse.

// The part of xmldom's nodes this file reads. Names are optional because only elements have them
// (xmldom types child nodes as ChildNode); every comparison below is with a non-empty name.
interface DomNode {
  readonly nodeType: number;
  readonly localName?: string | null;
  readonly namespaceURI?: string | null;
  readonly textContent: string | null;
  readonly childNodes: { readonly length: number; item(index: number): DomNode | null };
  getAttribute?(name: string): string | null;
  hasAttribute?(name: string): boolean;
}

interface Envelope {
  signed: boolean;
  issuer: string | null;
  destination: string | null;
  inResponseTo: string | null;
}

const ELEMENT_NODE = 1;

async function readEnvelope(xml: string): Promise<Envelope> {
  // SAML bindings forbid DTDs; refusing them outright closes the entity-expansion family of attacks.
  if (/<!DOCTYPE/i.test(xml))
    reject("saml_malformed", "the SAML response contains a document type declaration");
  let root: DomNode | null;
  try {
    const document: { documentElement: DomNode | null } = await parseDomFromString(xml);
    root = document.documentElement;
  } catch {
    reject("saml_malformed", "the SAML response is not well-formed XML");
  }
  if (root === null || root.localName !== "Response" || root.namespaceURI !== PROTOCOL_NS) {
    reject("saml_malformed", "the message is not a SAML 2.0 Response");
  }
  if (attributeOf(root, "Version") !== "2.0") reject("saml_malformed", "the response is not SAML 2.0");

  const elements = childElements(root);
  const named = (ns: string, name: string) =>
    elements.filter((element) => element.namespaceURI === ns && element.localName === name);

  const statuses = named(PROTOCOL_NS, "Status");
  const status = statuses.length === 1 ? statuses[0] : undefined;
  const statusCode = status && childElements(status).find((element) => element.localName === "StatusCode");
  const statusValue = statusCode ? attributeOf(statusCode, "Value") : null;
  if (statusValue === null) reject("saml_malformed", "the response has no status");
  // node-saml only looks at the status when there is no assertion; a failed login is a failure either way.
  if (statusValue !== STATUS_SUCCESS) {
    const nested =
      statusCode && childElements(statusCode).find((element) => element.localName === "StatusCode");
    throw new SamlRejectedError("saml_idp_error", "the IdP did not authenticate the user", {
      details: { status: [statusValue, nested && attributeOf(nested, "Value")].filter(isSafeStatus) },
    });
  }

  if (named(ASSERTION_NS, "EncryptedAssertion").length > 0) {
    reject("saml_malformed", "encrypted assertions are not supported for this connection");
  }
  if (named(ASSERTION_NS, "Assertion").length === 0) {
    reject("saml_malformed", "the SAML response carries no assertion");
  }

  const issuers = named(ASSERTION_NS, "Issuer");
  if (issuers.length > 1) reject("saml_malformed", "the response has more than one Issuer");
  return {
    signed: named(DSIG_NS, "Signature").length > 0,
    issuer: issuers[0] ? (issuers[0].textContent ?? "").trim() : null,
    destination: attributeOf(root, "Destination"),
    inResponseTo: attributeOf(root, "InResponseTo"),
  };
}

function childElements(node: DomNode): DomNode[] {
  const result: DomNode[] = [];
  for (let index = 0; index < node.childNodes.length; index += 1) {
    const childNode = node.childNodes.item(index);
    if (childNode?.nodeType === ELEMENT_NODE) result.push(childNode);
  }
  return result;
}

function attributeOf(node: DomNode, name: string): string | null {
  return node.hasAttribute?.(name) ? (node.getAttribute?.(name) ?? null) : null;
}

function isSafeStatus(value: string | null | undefined): value is string {
  return typeof value === "string" && /^urn:oasis:names:tc:SAML:2\.0:status:[A-Za-z]+$/.test(value);
}

// ---------------------------------------------------------------------------------------------
// The signed assertion, as node-saml's xml2js parse of the verified bytes: elements are arrays of
// { $: attributes, _: text, ...children } with namespace prefixes stripped.

type XmlJs = Record<string, unknown>;

function isRecord(value: unknown): value is XmlJs {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function child(node: unknown, name: string): XmlJs | undefined {
  if (!isRecord(node)) return undefined;
  const value = node[name];
  return isRecord(value) ? value : undefined;
}

function children(node: XmlJs | undefined, name: string): XmlJs[] {
  const value = node?.[name];
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function only(nodes: XmlJs[]): XmlJs | undefined {
  return nodes.length === 1 ? nodes[0] : undefined;
}

function attribute(node: XmlJs | undefined, name: string): string | undefined {
  const attributes = node?.$;
  if (!isRecord(attributes)) return undefined;
  const value = attributes[name];
  return typeof value === "string" ? value : undefined;
}

function text(node: XmlJs | undefined): string | undefined {
  const value = node?._;
  return typeof value === "string" ? value : undefined;
}

interface ClockWindow {
  nowMs: number;
  skewMs: number;
}

const XS_DATETIME_UTC = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]00:00)$/;

function requiredInstant(value: string | undefined, name: string): number {
  const parsed = optionalInstant(value, name);
  if (parsed === null) reject("saml_malformed", `the assertion has no ${name}`);
  return parsed;
}

/** SAML core §1.3.3: times are xs:dateTime in UTC; anything else is malformed, not "some time". */
function optionalInstant(value: string | undefined, name: string): number | null {
  if (value === undefined) return null;
  const match = XS_DATETIME_UTC.exec(value.trim());
  const ms = match ? Date.parse(`${match[1]}${(match[2] ?? "").slice(0, 4)}Z`) : Number.NaN;
  if (!Number.isFinite(ms)) reject("saml_malformed", `the assertion's ${name} is not a valid UTC time`);
  return ms;
}

function checkWindow(node: XmlJs, window: ClockWindow, what: string): void {
  const notBefore = optionalInstant(attribute(node, "NotBefore"), "NotBefore");
  if (notBefore !== null && window.nowMs + window.skewMs < notBefore) {
    reject("saml_not_yet_valid", `${what} are not valid yet`);
  }
  const notOnOrAfter = optionalInstant(attribute(node, "NotOnOrAfter"), "NotOnOrAfter");
  if (notOnOrAfter !== null && window.nowMs - window.skewMs >= notOnOrAfter) {
    reject("saml_expired", `${what} have expired`);
  }
}

interface Confirmation {
  notOnOrAfter: number;
  inResponseTo: string | null;
}

/**
 * SAML profiles §4.1.4.2: a bearer SubjectConfirmationData with our ACS as Recipient and a
 * NotOnOrAfter. When an IdP sends several, one valid is enough; otherwise the first one's fault is
 * reported, so a single defect always yields its own code.
 */
function bearerConfirmation(
  subject: XmlJs | undefined,
  settings: SamlConnectionSettings,
  window: ClockWindow,
) {
  const bearers = children(subject, "SubjectConfirmation").filter(
    (confirmation) => attribute(confirmation, "Method") === BEARER,
  );
  if (bearers.length === 0) reject("saml_malformed", "the assertion has no bearer subject confirmation");
  let firstFailure: unknown;
  for (const bearer of bearers) {
    try {
      return checkConfirmation(only(children(bearer, "SubjectConfirmationData")), settings, window);
    } catch (error) {
      firstFailure ??= error;
    }
  }
  throw firstFailure;
}

function checkConfirmation(
  data: XmlJs | undefined,
  settings: SamlConnectionSettings,
  window: ClockWindow,
): Confirmation {
  if (data === undefined) reject("saml_malformed", "the bearer confirmation has no SubjectConfirmationData");
  const recipient = attribute(data, "Recipient");
  if (recipient === undefined) reject("saml_malformed", "the bearer confirmation has no Recipient");
  if (recipient !== settings.acsUrl) {
    reject("saml_recipient_mismatch", "the assertion is meant for another consumer service");
  }
  const notOnOrAfter = optionalInstant(attribute(data, "NotOnOrAfter"), "NotOnOrAfter");
  if (notOnOrAfter === null) reject("saml_malformed", "the bearer confirmation has no NotOnOrAfter");
  checkWindow(data, window, "the assertion's subject confirmation");
  return { notOnOrAfter, inResponseTo: attribute(data, "InResponseTo") ?? null };
}

/**
 * The signed SubjectConfirmationData InResponseTo is what binds the assertion to our request; the
 * Response's own attribute is unsigned when only the assertion is, so it can only add a refusal.
 */
function checkInResponseTo(
  expected: string | null,
  fromEnvelope: string | null,
  fromAssertion: string | null,
): string | null {
  if (expected === null) {
    // A response to some request we hold no state for: most likely one captured from another browser.
    if (fromEnvelope !== null || fromAssertion !== null) {
      reject("saml_in_response_to_mismatch", "the response answers a request this login did not make");
    }
    return null;
  }
  if (fromEnvelope === null && fromAssertion === null) {
    reject("saml_unsolicited", "the response does not answer the login request");
  }
  if (fromAssertion !== expected || (fromEnvelope !== null && fromEnvelope !== expected)) {
    reject("saml_in_response_to_mismatch", "the response answers another login request");
  }
  return expected;
}

// ---------------------------------------------------------------------------------------------

function normalizeBase64(value: string): string {
  if (typeof value !== "string" || value.length > MAX_SAML_RESPONSE_BASE64_LENGTH) {
    reject("saml_malformed", "the SAMLResponse field is missing or too large");
  }
  // Form posts may wrap the field in line breaks; nothing else is tolerated.
  const compact = value.replace(/[\r\n\t ]/g, "");
  if (compact === "" || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    reject("saml_malformed", "the SAMLResponse field is not base64");
  }
  return compact;
}

function decodeUtf8(base64: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(base64, "base64"));
  } catch {
    reject("saml_malformed", "the SAML response is not UTF-8 text");
  }
}

function firstAttribute(attributes: XmlJs, names: readonly string[]): string | null {
  for (const name of names) {
    if (!Object.hasOwn(attributes, name)) continue;
    const value = firstString(attributes[name]);
    if (value !== null) return value;
  }
  return null;
}

function firstString(value: unknown): string | null {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = firstString(item);
      if (found !== null) return found;
    }
    return null;
  }
  // node-saml gives a value with attributes or children (e.g. xsi:type) as its xml2js node.
  const raw = isRecord(value) ? value._ : value;
  if (typeof raw !== "string") return null;
  const trimmed = raw.trim();
  return trimmed === "" ? null : trimmed;
}

function emailOrNull(value: string | null): string | null {
  return value !== null && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) ? value : null;
}
