import { httpStatusOf, PlatformError } from "@platform/errors";
import type { Logger } from "@platform/observability";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import type { Directory } from "../app/directory";
import {
  listResponse,
  parseGroupInput,
  parsePaging,
  parsePatchRequest,
  parseUserInput,
  resourceTypes,
  ScimError,
  schemas,
  scimErrorBody,
  serviceProviderConfig,
  toScimGroup,
  toScimUser,
} from "../scim";
import type { IdentityService } from "../service";
import { originOf } from "./origin";

const SCIM_CONTENT_TYPE = "application/scim+json";

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
    // Okta and Entra send application/scim+json, which the app's JSON parser does not read.
    scim.use(express.json({ type: ["application/json", SCIM_CONTENT_TYPE], limit: "1mb" }));
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

    scim.get("/Users", async (req, res) => {
      const paging = parsePaging(req.query);
      const filter = typeof req.query.filter === "string" ? req.query.filter : undefined;
      const all = await service.directory.listUsers(directoryOf(res), filter, base);
      const page = all
        .slice(paging.startIndex - 1, paging.startIndex - 1 + paging.count)
        .map((u) => toScimUser(u, base));
      send(res, 200, listResponse(page, { startIndex: paging.startIndex, totalResults: all.length }));
    });
    scim.post("/Users", async (req, res) => {
      const user = await service.directory.createUser(
        directoryOf(res),
        parseUserInput(req.body),
        scimOrigin(req, res),
      );
      const resource = toScimUser(user, base);
      res.location(resource.meta.location);
      send(res, 201, resource);
    });
    scim.get("/Users/:id", async (req, res) => {
      send(
        res,
        200,
        toScimUser(await service.directory.getUser(directoryOf(res), String(req.params.id)), base),
      );
    });
    scim.put("/Users/:id", async (req, res) => {
      const user = await service.directory.replaceUser(
        directoryOf(res),
        String(req.params.id),
        parseUserInput(req.body),
        scimOrigin(req, res),
      );
      send(res, 200, toScimUser(user, base));
    });
    scim.patch("/Users/:id", async (req, res) => {
      const user = await service.directory.patchUser(
        directoryOf(res),
        String(req.params.id),
        parsePatchRequest(req.body),
        scimOrigin(req, res),
      );
      send(res, 200, toScimUser(user, base));
    });
    scim.delete("/Users/:id", async (req, res) => {
      await service.directory.deleteUser(directoryOf(res), String(req.params.id), scimOrigin(req, res));
      res.status(204).end();
    });

    scim.get("/Groups", async (req, res) => {
      const paging = parsePaging(req.query);
      const filter = typeof req.query.filter === "string" ? req.query.filter : undefined;
      const all = await service.directory.listGroups(directoryOf(res), filter, base);
      const page = all
        .slice(paging.startIndex - 1, paging.startIndex - 1 + paging.count)
        .map((g) => toScimGroup(g, base));
      send(res, 200, listResponse(page, { startIndex: paging.startIndex, totalResults: all.length }));
    });
    scim.post("/Groups", async (req, res) => {
      const group = await service.directory.createGroup(
        directoryOf(res),
        parseGroupInput(req.body),
        scimOrigin(req, res),
      );
      const resource = toScimGroup(group, base);
      res.location(resource.meta.location);
      send(res, 201, resource);
    });
    scim.get("/Groups/:id", async (req, res) => {
      send(
        res,
        200,
        toScimGroup(await service.directory.getGroup(directoryOf(res), String(req.params.id)), base),
      );
    });
    scim.put("/Groups/:id", async (req, res) => {
      const group = await service.directory.replaceGroup(
        directoryOf(res),
        String(req.params.id),
        parseGroupInput(req.body),
        scimOrigin(req, res),
      );
      send(res, 200, toScimGroup(group, base));
    });
    scim.patch("/Groups/:id", async (req, res) => {
      const group = await service.directory.patchGroup(
        directoryOf(res),
        String(req.params.id),
        parsePatchRequest(req.body),
        scimOrigin(req, res),
      );
      send(res, 200, toScimGroup(group, base));
    });
    scim.delete("/Groups/:id", async (req, res) => {
      await service.directory.deleteGroup(directoryOf(res), String(req.params.id), scimOrigin(req, res));
      res.status(204).end();
    });

    scim.use((_req, _res) => {
      throw ScimError.notFound("no such SCIM endpoint");
    });
    scim.use(scimErrorHandler(service.logger));
    router.use("/scim/v2", scim);
  };
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
