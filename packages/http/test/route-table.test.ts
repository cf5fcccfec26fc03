import express from "express";
import { createHttpApp, routesOf, routeTableOf } from "../src";
import { captureLogs } from "./helpers";

describe("route table", () => {
  it("lists every method and path, nested routers with their mount path", () => {
    const app = createHttpApp({
      logger: captureLogs().logger,
      routes: (router) => {
        router.get("/v1/things/:id", (_req, res) => res.end());
        router.post("/v1/things", (_req, res) => res.end());
        const nested = express.Router();
        nested.patch("/Users/:id", (_req, res) => res.end());
        nested.delete("/Users/:id", (_req, res) => res.end());
        router.use("/scim/v2", nested);
      },
    });
    expect(routeTableOf(app)).toEqual([
      { method: "GET", path: "/v1/things/:id" },
      { method: "POST", path: "/v1/things" },
      { method: "PATCH", path: "/scim/v2/Users/:id" },
      { method: "DELETE", path: "/scim/v2/Users/:id" },
    ]);
  });

  it("refuses an app that createHttpApp did not build", () => {
    expect(() => routeTableOf(express())).toThrow(/createHttpApp/);
    expect(routesOf(express.Router())).toEqual([]);
  });
});
