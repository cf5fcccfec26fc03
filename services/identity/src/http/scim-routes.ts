import { httpStatusOf, PlatformError } from "@platform/errors";
import { type BodyRule, HttpErrorCodes, type ProblemFormat } from "@platform/http";
import type { Logger } from "@platform/observability";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import type { Directory } from "../app/directory";
import {
  listResponse,
  parseExcludedAttributes,
  parseGroupInput,
  parsePaging,
  parsePatchRequest,
  parseUserInput,
  resourceTypes,
  ScimError,
  type ScimErrorType,
  type ScimGroupRecord,
  type ScimPatchOperation,
  type ScimUserRecord,
  schemas,
  scimErrorBody,
  scimTypeOfConflict,
  serviceProviderConfig,
  toScimGroup,
  toScimUser,
  withoutAttributes,
} from "../scim";
import type { IdentityService } from "../service";
import { originOf } from "./origin";

const SCIM_CONTENT_TYPE = "application/scim+json";
export const SCIM_BASE_PATH = "/scim/v2";

/** Okta and Entra send application/scim+json; group member lists make bodies larger than /v1's. */
export const scimBodies: BodyRule = {
  path: SCIM_BASE_PATH,
  types: [SCIM_CONTENT_TYPE, "application/json"],
  limit: "1mb",
};

const SCIM_TYPE_OF_CODE: Record<string, ScimErrorType> = {
  [HttpErrorCodes.malformedJson]: "invalidSyntax",
  [HttpErrorCodes.malformedPath]: "invalidSyntax",
  [HttpErrorCodes.nulCharacter]: "invalidValue",
};

/** Failures the kit answers before SCIM's routes run (body type, size, JSON, NUL), in SCIM's format. */
export const scimProblemFormat: ProblemFormat = {
  path: SCIM_BASE_PATH,
  send(res, problem) {
    const scimType = SCIM_TYPE_OF_CODE[problem.code];
    send(res, problem.status, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: String(problem.status),
      ...(scimType ? { scimType } : {}),
      detail: problem.detail,
    });
  },
};

function send(res: Response, status: number, body: unknown): void {
  res.status(status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}

function directoryOf(res: Response): Directory {
  return res.locals.directory as Directory;
}

function scimOrigin(req: Request, res: Response) {
  const origin = originOf(req);
  return { actor: { ...origin.actor, type: "scim", id: directoryOf(res).tokenId } };
}

/**
 * SCIM 2.0 (RFC 7644) under /scim/v2, authenticated by the organization's SCIM bearer token. Errors
 * use SCIM's own error body, not problem+json, because directory clients parse that format.
 */
export function scimRoutes(service: IdentityService) {
  const base = `${service.config.IDENTITY_PUBLIC_URL}/scim/v2`;
  return (router: Router) => {
    const scim = express.Router();
    scim.use(async (req, res, next) => {
      res.locals.directory = await service.directory.authenticate(req.get("authorization"));
      next();
    });

    scim.get("/ServiceProviderConfig", (_req, res) => send(res, 200, serviceProviderConfig(base)));
    scim.get("/ResourceTypes", (_req, res) => {
      const all = resourceTypes(base);
      send(res, 200, listResponse(all, { startIndex: 1, totalResults: all.length }));
    });
    scim.get("/Schemas", (_req, res) => {
      const all = schemas(base);
      send(res, 200, listResponse(all, { startIndex: 1, totalResults: all.length }));
    });

    const directory = service.directory;
    resourceRoutes<ScimUserRecord, ReturnType<typeof parseUserInput>>(scim, "/Users", {
      render: (user) => toScimUser(user, base),
      parse: parseUserInput,
      list: (dir, filter) => directory.listUsers(dir, filter, base),
      get: (dir, id) => directory.getUser(dir, id),
      create: (dir, input, origin) => directory.createUser(dir, input, origin),
      replace: (dir, id, input, origin) => directory.replaceUser(dir, id, input, origin),
      patch: (dir, id, ops, origin) => directory.patchUser(dir, id, ops, origin),
      remove: (dir, id, origin) => directory.deleteUser(dir, id, origin),
    });
    resourceRoutes<ScimGroupRecord, ReturnType<typeof parseGroupInput>>(scim, "/Groups", {
      render: (group) => toScimGroup(group, base),
      parse: parseGroupInput,
      list: (dir, filter) => directory.listGroups(dir, filter, base),
      get: (dir, id) => directory.getGroup(dir, id),
      create: (dir, input, origin) => directory.createGroup(dir, input, origin),
      replace: (dir, id, input, origin) => directory.replaceGroup(dir, id, input, origin),
      patch: (dir, id, ops, origin) => directory.patchGroup(dir, id, ops, origin),
      remove: (dir, id, origin) => directory.deleteGroup(dir, id, origin),
    });

    scim.use((_req, _res) => {
      throw ScimError.notFound("no such SCIM endpoint");
    });
    scim.use(scimErrorHandler(service.logger));
    router.use(SCIM_BASE_PATH, scim);
  };
}

type Origin = ReturnType<typeof scimOrigin>;

/** How one SCIM resource type is read, written and rendered. */
interface ResourceHandlers<Record, Input> {
  render(record: Record): { meta: { location: string } };
  parse(body: unknown): Input;
  list(directory: Directory, filter: string | undefined): Promise<Record[]>;
  get(directory: Directory, id: string): Promise<Record>;
  create(directory: Directory, input: Input, origin: Origin): Promise<Record>;
  replace(directory: Directory, id: string, input: Input, origin: Origin): Promise<Record>;
  patch(directory: Directory, id: string, operations: ScimPatchOperation[], origin: Origin): Promise<Record>;
  remove(directory: Directory, id: string, origin: Origin): Promise<void>;
}

/** The RFC 7644 §3 endpoints of one resource type: list with filter and paging, CRUD and PATCH. */
function resourceRoutes<Record, Input>(
  scim: Router,
  path: string,
  handlers: ResourceHandlers<Record, Input>,
): void {
  // RFC 7644 §3.9: excludedAttributes shapes every answer that carries resources, writes included.
  const shaped = (req: Request, record: Record) =>
    withoutAttributes(handlers.render(record), parseExcludedAttributes(req.query.excludedAttributes));
  scim.get(path, async (req, res) => {
    const paging = parsePaging(req.query);
    const filter = typeof req.query.filter === "string" ? req.query.filter : undefined;
    const all = await handlers.list(directoryOf(res), filter);
    const page = all
      .slice(paging.startIndex - 1, paging.startIndex - 1 + paging.count)
      .map((record) => shaped(req, record));
    send(res, 200, listResponse(page, { startIndex: paging.startIndex, totalResults: all.length }));
  });
  scim.post(path, async (req, res) => {
    const created = await handlers.create(directoryOf(res), handlers.parse(req.body), scimOrigin(req, res));
    res.location(handlers.render(created).meta.location);
    send(res, 201, shaped(req, created));
  });
  scim.get(`${path}/:id`, async (req, res) => {
    send(res, 200, shaped(req, await handlers.get(directoryOf(res), String(req.params.id))));
  });
  scim.put(`${path}/:id`, async (req, res) => {
    const id = String(req.params.id);
    const record = await handlers.replace(
      directoryOf(res),
      id,
      handlers.parse(req.body),
      scimOrigin(req, res),
    );
    send(res, 200, shaped(req, record));
  });
  scim.patch(`${path}/:id`, async (req, res) => {
    const id = String(req.params.id);
    const record = await handlers.patch(
      directoryOf(res),
      id,
      parsePatchRequest(req.body),
      scimOrigin(req, res),
    );
    send(res, 200, shaped(req, record));
  });
  scim.delete(`${path}/:id`, async (req, res) => {
    await handlers.remove(directoryOf(res), String(req.params.id), scimOrigin(req, res));
    res.status(204).end();
  });
}

/** Every failure as RFC 7644 §3.12's error body; internal errors are logged and not described. */
function scimErrorHandler(logger: Logger) {
  return (error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof ScimError) return send(res, error.status, scimErrorBody(error));
    if ((error as { type?: string }).type === "entity.parse.failed")
      return send(res, 400, scimErrorBody(ScimError.invalidSyntax("the body is not valid JSON")));
    if (error instanceof PlatformError && error.kind !== "internal") {
      const status = httpStatusOf(error);
      if (status === 401) res.set("WWW-Authenticate", 'Bearer realm="scim"');
      return send(res, status, {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
        status: String(status),
        // Directory clients decide what to do on a 409 from its scimType, so every 409 has one.
        ...(status === 409 ? { scimType: scimTypeOfConflict(error) } : {}),
        detail: error.message,
      });
    }
    logger.error({ error }, "SCIM request failed");
    send(res, 500, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: "500",
      detail: "internal error",
    });
  };
}
