import { inflateRawSync } from "node:zlib";
import { DOMParser } from "@xmldom/xmldom";
import {
  type AssertionReplayGuard,
  createAuthnRequest,
  type SamlConnectionSettings,
  SamlRejectedError,
  type SamlRejectionCode,
  type ValidateSamlResponseInput,
  validateSamlResponse,
} from "../src/sso/saml";
import {
  ASSERTION_NS,
  buildResponse,
  createSigningIdentity,
  DSIG_NS,
  element,
  NAMEID_EMAIL,
  newId,
  PROTOCOL_NS,
  type ResponseSpec,
  type SigningIdentity,
  signAssertion,
  signResponse,
  TestIdentityProvider,
  tamper,
  toPostBinding,
} from "./support/saml-idp";

const SP_ENTITY_ID = "https://app.example.test/saml/metadata";
const ACS_URL = "https://app.example.test/saml/acs";
const IDP_ENTITY_ID = "https://idp.example.test/entity";
const IDP_SSO_URL = "https://idp.example.test/sso/saml?tenant=acme";
const REQUEST_ID = "_4f1c0e2a9b7d4e6f8a0b1c2d3e4f5a6b";
// Long past: a check that read the process clock instead of `now` would fail every test.
const NOW = new Date("2009-02-13T23:31:30.000Z");
const MINUTE = 60_000;

let idp: TestIdentityProvider;
let attacker: SigningIdentity;
let settings: SamlConnectionSettings;

beforeAll(async () => {
  [idp, attacker] = await Promise.all([
    TestIdentityProvider.create(IDP_ENTITY_ID, IDP_SSO_URL),
    createSigningIdentity("attacker.example.test"),
  ]);
  settings = {
    spEntityId: SP_ENTITY_ID,
    acsUrl: ACS_URL,
    idpEntityId: IDP_ENTITY_ID,
    idpSsoUrl: IDP_SSO_URL,
    idpCertificatePem: idp.certificatePem,
  };
});

function spec(overrides: Partial<ResponseSpec> = {}): Omit<ResponseSpec, "idpEntityId"> {
  return {
    issuedAt: NOW,
    spEntityId: SP_ENTITY_ID,
    acsUrl: ACS_URL,
    nameId: "u-7d3f9a",
    inResponseTo: REQUEST_ID,
    sessionIndex: "_session-1",
    attributes: { email: ["ada@example.test"], givenName: ["Ada"], sn: ["Lovelace"] },
    ...overrides,
  };
}

/** The genuine article: assertion signed by the pinned IdP key. */
function validXml(overrides: Partial<ResponseSpec> = {}): string {
  return idp.signedResponse(spec(overrides));
}

function unsignedXml(overrides: Partial<ResponseSpec> = {}): string {
  return buildResponse({ idpEntityId: IDP_ENTITY_ID, ...spec(overrides) });
}

function memoryReplayGuard(): AssertionReplayGuard & { seen: Map<string, Date> } {
  const seen = new Map<string, Date>();
  const guard = async (assertionId: string, expiresAt: Date) => {
    if (seen.has(assertionId)) return false;
    seen.set(assertionId, expiresAt);
    return true;
  };
  return Object.assign(guard, { seen });
}

function validate(samlResponse: string, overrides: Partial<ValidateSamlResponseInput> = {}) {
  return validateSamlResponse(settings, {
    samlResponse,
    expectedRequestId: REQUEST_ID,
    replayGuard: memoryReplayGuard(),
    now: NOW,
    ...overrides,
  });
}

async function rejectionOf(promise: Promise<unknown>): Promise<SamlRejectedError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SamlRejectedError) return error;
    throw error;
  }
  throw new Error("expected the SAML response to be rejected, but it was accepted");
}

/** An attacker-made assertion for someone else, imported into the document under attack. */
function evilAssertion(document: Document, overrides: Partial<ResponseSpec> = {}): Element {
  const evil = new DOMParser().parseFromString(
    unsignedXml({ nameId: "admin", attributes: { email: ["admin@victim.example.test"] }, ...overrides }),
    "text/xml",
  );
  return document.importNode(element(evil, ASSERTION_NS, "Assertion"), true) as Element;
}

function extensionsOf(document: Document): Element {
  const response = document.documentElement;
  const extensions = document.createElementNS(PROTOCOL_NS, "samlp:Extensions");
  response.insertBefore(extensions, element(document, PROTOCOL_NS, "Status"));
  return extensions;
}

/** A copy of the genuine assertion's own Signature, placed where a schema-valid assertion has it. */
function cloneSignatureInto(target: Element, source: Element): Element {
  const signature = element(source, DSIG_NS, "Signature").cloneNode(true) as Element;
  target.insertBefore(signature, element(target, ASSERTION_NS, "Issuer").nextSibling);
  return signature;
}

describe("validateSamlResponse", () => {
  it("accepts a response whose assertion is signed by the pinned IdP key, answering the signed facts", async () => {
    const replayGuard = memoryReplayGuard();
    const assertion = await validate(toPostBinding(validXml({ assertionId: "_a-1" })), { replayGuard });

    expect(assertion).toEqual({
      assertionId: "_a-1",
      nameId: "u-7d3f9a",
      email: "ada@example.test",
      givenName: "Ada",
      familyName: "Lovelace",
      sessionIndex: "_session-1",
      inResponseTo: REQUEST_ID,
      notOnOrAfter: new Date(NOW.getTime() + 5 * MINUTE),
      issuer: IDP_ENTITY_ID,
    });
    // Kept until it could no longer be accepted anyway: NotOnOrAfter plus the allowed skew.
    expect(replayGuard.seen.get("_a-1")).toEqual(new Date(NOW.getTime() + 6 * MINUTE));
  });

  it("still accepts a genuine response after the corpus's parse-and-serialize round trip", async () => {
    // So every tampered case below fails for its tampering, not for how it was re-serialized.
    const roundTripped = tamper(validXml(), () => {});
    await expect(validate(toPostBinding(roundTripped))).resolves.toMatchObject({ nameId: "u-7d3f9a" });
  });

  it("accepts a signed response around a signed assertion", async () => {
    const xml = signResponse(validXml(), idp.signer);
    await expect(validate(toPostBinding(xml))).resolves.toMatchObject({ nameId: "u-7d3f9a" });
  });

  it("tolerates line breaks in the posted field", async () => {
    const wrapped = toPostBinding(validXml()).replace(/(.{76})/g, "$1\r\n");
    await expect(validate(wrapped)).resolves.toMatchObject({ nameId: "u-7d3f9a" });
  });

  it("accepts times just outside the window when within the clock skew, and refuses them without skew", async () => {
    const late = toPostBinding(
      validXml({
        issuedAt: new Date(NOW.getTime() - 6 * MINUTE),
        notOnOrAfter: new Date(NOW.getTime() - 30_000),
        subjectNotOnOrAfter: new Date(NOW.getTime() - 30_000),
      }),
    );
    await expect(validate(late)).resolves.toMatchObject({
      notOnOrAfter: new Date(NOW.getTime() - 30_000),
    });
    expect((await rejectionOf(validate(late, { clockSkewMs: 0 }))).code).toBe("saml_expired");

    const early = toPostBinding(
      validXml({ issuedAt: new Date(NOW.getTime() + 20_000), notBefore: new Date(NOW.getTime() + 30_000) }),
    );
    await expect(validate(early)).resolves.toMatchObject({ nameId: "u-7d3f9a" });
    expect((await rejectionOf(validate(early, { clockSkewMs: 0 }))).code).toBe("saml_not_yet_valid");
  });

  it("judges time by `now`, not by the process clock", async () => {
    // Issued in 2009: by the real clock it expired long ago.
    const rejection = await rejectionOf(validate(toPostBinding(validXml()), { now: undefined }));
    expect(rejection.code).toBe("saml_expired");
  });

  it("accepts an IdP-initiated response only when the connection allows it", async () => {
    const samlResponse = toPostBinding(validXml({ inResponseTo: null }));
    await expect(
      validate(samlResponse, { expectedRequestId: null, allowIdpInitiated: true }),
    ).resolves.toMatchObject({ inResponseTo: null, nameId: "u-7d3f9a" });
    expect((await rejectionOf(validate(samlResponse, { expectedRequestId: null }))).code).toBe(
      "saml_unsolicited",
    );
  });

  it("takes the email from the NameID when it has the emailAddress format", async () => {
    const xml = validXml({ nameId: "grace@example.test", nameIdFormat: NAMEID_EMAIL, attributes: {} });
    await expect(validate(toPostBinding(xml))).resolves.toMatchObject({
      nameId: "grace@example.test",
      email: "grace@example.test",
      givenName: null,
      familyName: null,
    });
  });

  it("reads the email from the WS-Federation claim and ignores a non-email NameID", async () => {
    const xml = validXml({
      attributes: {
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": ["ada@corp.example.test"],
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname": ["Ada"],
      },
    });
    await expect(validate(toPostBinding(xml))).resolves.toMatchObject({
      email: "ada@corp.example.test",
      givenName: "Ada",
    });
    await expect(validate(toPostBinding(validXml({ attributes: {} })))).resolves.toMatchObject({
      email: null,
    });
  });

  it("reads the NameID from the signed bytes: a comment injected into it cannot truncate it", async () => {
    // The attacker owns ada@example.test.evil.test at the IdP; comments are outside exclusive c14n,
    // so the signature still verifies, and a parser that stopped at the comment would say ada@example.test.
    const genuine = validXml({
      nameId: "ada@example.test.evil.test",
      nameIdFormat: NAMEID_EMAIL,
      attributes: {},
    });
    const injected = genuine.replace(">ada@example.test.evil.test<", ">ada@example.test<!---->.evil.test<");
    expect(injected).not.toBe(genuine);
    await expect(validate(toPostBinding(injected))).resolves.toMatchObject({
      nameId: "ada@example.test.evil.test",
      email: "ada@example.test.evil.test",
    });
  });

  it("refuses the second use of the same valid response", async () => {
    const replayGuard = memoryReplayGuard();
    const samlResponse = toPostBinding(validXml());
    await expect(validate(samlResponse, { replayGuard })).resolves.toMatchObject({ nameId: "u-7d3f9a" });
    const rejection = await rejectionOf(validate(samlResponse, { replayGuard }));
    expect(rejection.code).toBe("saml_replayed");
    expect(rejection.kind).toBe("unauthenticated");
  });

  it("does not use up the assertion id when another check fails", async () => {
    const replayGuard = jest.fn(async () => true);
    await rejectionOf(
      validate(toPostBinding(validXml({ audience: "https://other.example.test" })), { replayGuard }),
    );
    expect(replayGuard).not.toHaveBeenCalled();
  });

  it("lets a failing replay store fail loudly instead of calling it a bad message", async () => {
    const failure = new Error("database unavailable");
    await expect(
      validate(toPostBinding(validXml()), { replayGuard: () => Promise.reject(failure) }),
    ).rejects.toBe(failure);
  });

  it("refuses to run with a pinned certificate that is not exactly one certificate", async () => {
    for (const idpCertificatePem of [
      "",
      "not a certificate",
      `${idp.certificatePem}\n${attacker.certificatePem}`,
    ]) {
      await expect(
        validateSamlResponse(
          { ...settings, idpCertificatePem },
          {
            samlResponse: toPostBinding(validXml()),
            expectedRequestId: REQUEST_ID,
            replayGuard: memoryReplayGuard(),
          },
        ),
      ).rejects.toMatchObject({ code: "saml_settings_invalid" });
    }
  });
});

interface TamperedCase {
  name: string;
  code: SamlRejectionCode;
  samlResponse: () => string;
  input?: Partial<ValidateSamlResponseInput>;
}

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

const corpus: TamperedCase[] = [
  // (1) signature wrapping: the signed assertion stays intact somewhere, an evil one is where the SP reads.
  {
    name: "XSW: unsigned evil assertion inserted before the signed one",
    code: "saml_signature_invalid",
    samlResponse: () =>
      toPostBinding(
        tamper(validXml(), (document) => {
          const signed = element(document, ASSERTION_NS, "Assertion");
          document.documentElement.insertBefore(evilAssertion(document), signed);
        }),
      ),
  },
  {
    name: "XSW: signed assertion moved into samlp:Extensions, evil assertion in its place",
    code: "saml_signature_invalid",
    samlResponse: () =>
      toPostBinding(
        tamper(validXml(), (document) => {
          const signed = element(document, ASSERTION_NS, "Assertion");
          const evil = evilAssertion(document);
          document.documentElement.replaceChild(evil, signed);
          extensionsOf(document).appendChild(signed);
        }),
      ),
  },
  {
    name: "XSW: second assertion appended after the signed one",
    code: "saml_signature_invalid",
    samlResponse: () =>
      toPostBinding(
        tamper(validXml(), (document) => {
          document.documentElement.appendChild(evilAssertion(document));
        }),
      ),
  },
  {
    name: "XSW: evil assertion with the same ID carrying the genuine signature, original in Extensions",
    code: "saml_signature_invalid",
    samlResponse: () =>
      toPostBinding(
        tamper(validXml(), (document) => {
          const signed = element(document, ASSERTION_NS, "Assertion");
          const evil = evilAssertion(document);
          evil.setAttribute("ID", signed.getAttribute("ID") ?? "");
          cloneSignatureInto(evil, signed);
          document.documentElement.replaceChild(evil, signed);
          extensionsOf(document).appendChild(signed);
        }),
      ),
  },
  {
    name: "XSW: genuine signature moved onto the evil assertion, signed assertion hidden in its ds:Object",
    code: "saml_signature_invalid",
    samlResponse: () =>
      toPostBinding(
        tamper(validXml(), (document) => {
          const signed = element(document, ASSERTION_NS, "Assertion");
          const evil = evilAssertion(document);
          const signature = cloneSignatureInto(evil, signed);
          // Its digest still matches: the enveloped-signature transform drops the signature anyway.
          signed.removeChild(element(signed, DSIG_NS, "Signature"));
          document.documentElement.replaceChild(evil, signed);
          const object = document.createElementNS(DSIG_NS, "ds:Object");
          object.appendChild(signed);
          signature.appendChild(object);
        }),
      ),
  },
  {
    name: "XSW: evil assertion wrapping the signed one in its saml:Advice",
    code: "saml_signature_invalid",
    samlResponse: () =>
      toPostBinding(
        tamper(validXml(), (document) => {
          const signed = element(document, ASSERTION_NS, "Assertion");
          const evil = evilAssertion(document);
          document.documentElement.replaceChild(evil, signed);
          const advice = document.createElementNS(ASSERTION_NS, "saml:Advice");
          advice.appendChild(signed);
          evil.insertBefore(advice, element(evil, ASSERTION_NS, "AuthnStatement"));
        }),
      ),
  },
  {
    name: "XSW: ID/Id confusion, evil assertion owns ID and the signature, original answers to Id",
    code: "saml_signature_invalid",
    samlResponse: () =>
      toPostBinding(
        tamper(validXml(), (document) => {
          const signed = element(document, ASSERTION_NS, "Assertion");
          const id = signed.getAttribute("ID") ?? "";
          const evil = evilAssertion(document);
          evil.setAttribute("ID", id);
          cloneSignatureInto(evil, signed);
          document.documentElement.replaceChild(evil, signed);
          signed.removeAttribute("ID");
          signed.setAttribute("Id", id);
          extensionsOf(document).appendChild(signed);
        }),
      ),
  },
  // (2) no assertion signature
  {
    name: "unsigned assertion",
    code: "saml_signature_invalid",
    samlResponse: () => toPostBinding(unsignedXml()),
  },
  {
    name: "validly signed Response around an unsigned assertion",
    code: "saml_signature_invalid",
    samlResponse: () => toPostBinding(signResponse(unsignedXml(), idp.signer)),
  },
  // (3)-(4) the wrong key
  {
    name: "assertion signed by a different key, no KeyInfo",
    code: "saml_signature_invalid",
    samlResponse: () => toPostBinding(signAssertion(unsignedXml(), attacker, { embedCertificate: false })),
  },
  {
    name: "attacker's certificate embedded in KeyInfo, assertion and Response signed with the attacker's key",
    code: "saml_signature_invalid",
    samlResponse: () => toPostBinding(signResponse(signAssertion(unsignedXml(), attacker), attacker)),
  },
  {
    name: "the pinned IdP certificate in KeyInfo, signed with the attacker's key",
    code: "saml_signature_invalid",
    samlResponse: () =>
      toPostBinding(
        signAssertion(unsignedXml(), {
          privateKeyPem: attacker.privateKeyPem,
          certificatePem: idp.certificatePem,
        }),
      ),
  },
  {
    name: "genuine signed assertion inside a Response signed by the attacker",
    code: "saml_signature_invalid",
    samlResponse: () => toPostBinding(signResponse(validXml(), attacker)),
  },
  // (13) tampering after signing
  {
    name: "email attribute changed after signing",
    code: "saml_signature_invalid",
    samlResponse: () =>
      toPostBinding(validXml().replace(">ada@example.test<", ">admin@victim.example.test<")),
  },
  {
    name: "NameID changed after signing",
    code: "saml_signature_invalid",
    samlResponse: () =>
      toPostBinding(
        tamper(validXml(), (document) => {
          element(document, ASSERTION_NS, "NameID").textContent = "admin";
        }),
      ),
  },
  {
    name: "SignatureValue corrupted",
    code: "saml_signature_invalid",
    samlResponse: () =>
      toPostBinding(
        tamper(validXml(), (document) => {
          const value = element(document, DSIG_NS, "SignatureValue");
          const text = value.textContent ?? "";
          value.textContent = `${text.startsWith("A") ? "B" : "A"}${text.slice(1)}`;
        }),
      ),
  },
  // (5)-(7) meant for someone else, or from someone else
  {
    name: "wrong audience",
    code: "saml_audience_mismatch",
    samlResponse: () => toPostBinding(validXml({ audience: "https://other-sp.example.test/metadata" })),
  },
  {
    name: "no AudienceRestriction",
    code: "saml_audience_mismatch",
    samlResponse: () => toPostBinding(validXml({ audience: null })),
  },
  {
    name: "no Conditions at all",
    code: "saml_malformed",
    samlResponse: () => toPostBinding(validXml({ conditions: false })),
  },
  {
    name: "wrong SubjectConfirmationData Recipient",
    code: "saml_recipient_mismatch",
    samlResponse: () => toPostBinding(validXml({ recipient: "https://other-sp.example.test/acs" })),
  },
  {
    name: "wrong Response Destination",
    code: "saml_recipient_mismatch",
    samlResponse: () => toPostBinding(validXml({ destination: "https://other-sp.example.test/acs" })),
  },
  {
    name: "wrong assertion Issuer",
    code: "saml_issuer_mismatch",
    samlResponse: () => toPostBinding(validXml({ assertionIssuer: "https://evil-idp.example.test" })),
  },
  {
    name: "wrong Response Issuer",
    code: "saml_issuer_mismatch",
    samlResponse: () => toPostBinding(validXml({ responseIssuer: "https://evil-idp.example.test" })),
  },
  // (8)-(9) time
  {
    name: "Conditions NotOnOrAfter past beyond the skew",
    code: "saml_expired",
    samlResponse: () =>
      toPostBinding(
        validXml({
          issuedAt: new Date(NOW.getTime() - 10 * MINUTE),
          notOnOrAfter: new Date(NOW.getTime() - 2 * MINUTE),
          subjectNotOnOrAfter: new Date(NOW.getTime() + 5 * MINUTE),
        }),
      ),
  },
  {
    name: "SubjectConfirmationData NotOnOrAfter past beyond the skew",
    code: "saml_expired",
    samlResponse: () =>
      toPostBinding(
        validXml({
          issuedAt: new Date(NOW.getTime() - 10 * MINUTE),
          notOnOrAfter: new Date(NOW.getTime() + 5 * MINUTE),
          subjectNotOnOrAfter: new Date(NOW.getTime() - 2 * MINUTE),
        }),
      ),
  },
  {
    name: "Conditions NotBefore in the future beyond the skew",
    code: "saml_not_yet_valid",
    samlResponse: () => toPostBinding(validXml({ notBefore: new Date(NOW.getTime() + 5 * MINUTE) })),
  },
  {
    name: "issued in the future beyond the skew",
    code: "saml_not_yet_valid",
    samlResponse: () => toPostBinding(validXml({ issuedAt: new Date(NOW.getTime() + 10 * MINUTE) })),
  },
  // (11)-(12) request binding
  {
    name: "InResponseTo of another request",
    code: "saml_in_response_to_mismatch",
    samlResponse: () => toPostBinding(validXml({ inResponseTo: newId() })),
  },
  {
    name: "signed SubjectConfirmationData InResponseTo of another request, Response attribute matching",
    code: "saml_in_response_to_mismatch",
    samlResponse: () => toPostBinding(validXml({ subjectInResponseTo: newId() })),
  },
  {
    name: "unsigned Response InResponseTo of another request, signed one matching",
    code: "saml_in_response_to_mismatch",
    samlResponse: () => toPostBinding(validXml({ inResponseTo: newId(), subjectInResponseTo: REQUEST_ID })),
  },
  {
    name: "signed assertion without InResponseTo, Response attribute forged to our request",
    code: "saml_in_response_to_mismatch",
    samlResponse: () => toPostBinding(validXml({ subjectInResponseTo: null })),
  },
  {
    name: "unsolicited response while a request is expected",
    code: "saml_unsolicited",
    samlResponse: () => toPostBinding(validXml({ inResponseTo: null })),
  },
  {
    name: "no request expected and IdP-initiated login not allowed",
    code: "saml_unsolicited",
    samlResponse: () => toPostBinding(validXml({ inResponseTo: null })),
    input: { expectedRequestId: null },
  },
  {
    name: "IdP-initiated allowed but the response answers some request we did not make",
    code: "saml_in_response_to_mismatch",
    samlResponse: () => toPostBinding(validXml()),
    input: { expectedRequestId: null, allowIdpInitiated: true },
  },
  // (14) not a SAML Response at all
  { name: "empty field", code: "saml_malformed", samlResponse: () => "" },
  { name: "not base64", code: "saml_malformed", samlResponse: () => "%%%<samlp:Response/>%%%" },
  { name: "base64 of text that is not XML", code: "saml_malformed", samlResponse: () => base64("hello, SP") },
  {
    name: "base64 of broken XML",
    code: "saml_malformed",
    samlResponse: () => base64("<samlp:Response><unclosed>"),
  },
  {
    name: "base64 of bytes that are not UTF-8",
    code: "saml_malformed",
    samlResponse: () => Buffer.from([0xff, 0xfe, 0x3c, 0x00, 0x80]).toString("base64"),
  },
  {
    name: "XML that is not a SAML Response",
    code: "saml_malformed",
    samlResponse: () => base64(`<samlp:AuthnRequest xmlns:samlp="${PROTOCOL_NS}" ID="_x" Version="2.0"/>`),
  },
  {
    name: "Response element in the wrong namespace",
    code: "saml_malformed",
    samlResponse: () => base64(validXml().replace(`xmlns:samlp="${PROTOCOL_NS}"`, 'xmlns:samlp="urn:evil"')),
  },
  {
    name: "document type declaration with an entity (billion laughs / XXE family)",
    code: "saml_malformed",
    samlResponse: () =>
      base64(`<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>${validXml()}`),
  },
  {
    name: "Response without an assertion",
    code: "saml_malformed",
    samlResponse: () =>
      toPostBinding(
        tamper(validXml(), (document) => {
          document.documentElement.removeChild(element(document, ASSERTION_NS, "Assertion"));
        }),
      ),
  },
  // the IdP said no
  {
    name: "non-success status from the IdP",
    code: "saml_idp_error",
    samlResponse: () =>
      toPostBinding(
        validXml({
          statusCode: "urn:oasis:names:tc:SAML:2.0:status:Responder",
          secondaryStatusCode: "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed",
        }),
      ),
  },
];

describe("validateSamlResponse rejects the tampered corpus", () => {
  it.each(corpus)("$name → $code", async ({ samlResponse, code, input }) => {
    const replayGuard = jest.fn(memoryReplayGuard());
    const rejection = await rejectionOf(validate(samlResponse(), { replayGuard, ...input }));

    expect(rejection.code).toBe(code);
    expect(rejection.kind).toBe("unauthenticated");
    // Never echo the message back: no markup, no identities from it.
    expect(rejection.message).not.toMatch(/[<>]|admin|ada@|u-7d3f9a/);
    expect(replayGuard).not.toHaveBeenCalled();
  });

  it("rejects a response signed by the genuine IdP once the connection pins another certificate", async () => {
    const rejection = await rejectionOf(
      validateSamlResponse(
        { ...settings, idpCertificatePem: attacker.certificatePem },
        {
          samlResponse: toPostBinding(validXml()),
          expectedRequestId: REQUEST_ID,
          replayGuard: memoryReplayGuard(),
          now: NOW,
        },
      ),
    );
    expect(rejection.code).toBe("saml_signature_invalid");
  });

  it("reports the IdP's status codes, and only those", async () => {
    const rejection = await rejectionOf(
      validate(
        toPostBinding(
          validXml({
            statusCode: "urn:oasis:names:tc:SAML:2.0:status:Responder",
            secondaryStatusCode: "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed",
          }),
        ),
      ),
    );
    expect(rejection.details).toEqual({
      status: [
        "urn:oasis:names:tc:SAML:2.0:status:Responder",
        "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed",
      ],
    });
  });
});

describe("createAuthnRequest", () => {
  it("answers a redirect to the IdP carrying a deflated AuthnRequest with a fresh id", async () => {
    const { url, requestId } = await createAuthnRequest(settings, { relayState: "rs-42" });
    const target = new URL(url);

    expect(`${target.origin}${target.pathname}`).toBe("https://idp.example.test/sso/saml");
    expect(target.searchParams.get("tenant")).toBe("acme");
    expect(target.searchParams.get("RelayState")).toBe("rs-42");
    expect(requestId).toMatch(/^_[0-9a-f]{40}$/);

    const request = inflateRawSync(
      Buffer.from(target.searchParams.get("SAMLRequest") ?? "", "base64"),
    ).toString("utf8");
    const document = new DOMParser().parseFromString(request, "text/xml");
    const authnRequest = document.documentElement;
    expect(authnRequest.localName).toBe("AuthnRequest");
    expect(authnRequest.namespaceURI).toBe(PROTOCOL_NS);
    expect(authnRequest.getAttribute("ID")).toBe(requestId);
    expect(authnRequest.getAttribute("Destination")).toBe(IDP_SSO_URL);
    expect(authnRequest.getAttribute("AssertionConsumerServiceURL")).toBe(ACS_URL);
    expect(element(document, ASSERTION_NS, "Issuer").textContent).toBe(SP_ENTITY_ID);

    const second = await createAuthnRequest(settings, {});
    expect(second.requestId).not.toBe(requestId);
    expect(new URL(second.url).searchParams.has("RelayState")).toBe(false);
  });

  it("round-trips: the IdP's answer to the request is accepted with that request id", async () => {
    const { requestId } = await createAuthnRequest(settings, {});
    const samlResponse = toPostBinding(validXml({ inResponseTo: requestId }));
    await expect(validate(samlResponse, { expectedRequestId: requestId })).resolves.toMatchObject({
      inResponseTo: requestId,
    });
  });

  it("refuses a RelayState longer than the binding allows", async () => {
    await expect(createAuthnRequest(settings, { relayState: "x".repeat(81) })).rejects.toMatchObject({
      code: "saml_relay_state_too_long",
    });
  });
});
