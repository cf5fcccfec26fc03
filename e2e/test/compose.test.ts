/**
 * docker-compose.yml cannot run on the machines we build on (no Docker engine), so this keeps it
 * honest: the same ports and variable names as the native setup, and every service present.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

const root = join(__dirname, "../..");

interface ComposeService {
  image?: string;
  build?: unknown;
  ports?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
}

const compose = parse(readFileSync(join(root, "docker-compose.yml"), "utf8")) as {
  services: Record<string, ComposeService>;
};
const nativeEnv = readFileSync(join(root, "infra/env.sh"), "utf8");

function nativeDefault(variable: string): string {
  const match = nativeEnv.match(new RegExp(`${variable}="\\$\\{${variable}:-([^}]*)\\}"`));
  if (!match?.[1]) throw new Error(`infra/env.sh has no default for ${variable}`);
  return match[1];
}

function hostPorts(service: string): string[] {
  return (compose.services[service]?.ports ?? []).map((mapping) => mapping.split(":")[0] ?? "");
}

describe("docker-compose.yml", () => {
  it("publishes Kafka, the registry and Postgres on the native ports", () => {
    expect(hostPorts("kafka")).toContain(nativeDefault("KAFKA_PORT"));
    expect(hostPorts("schema-registry")).toContain(nativeDefault("SCHEMA_REGISTRY_PORT"));
    expect(nativeDefault("POSTGRES_ADMIN_URL")).toContain(":5432/");
    expect(hostPorts("postgres")).toContain("5432");
  });

  it("advertises the broker where native clients look for it", () => {
    const advertised = compose.services.kafka?.environment?.KAFKA_ADVERTISED_LISTENERS ?? "";
    expect(advertised).toContain(`PLAINTEXT://localhost:${nativeDefault("KAFKA_PORT")}`);
  });

  it("serves the registry's Confluent-compatible API at the path the native URL uses", () => {
    expect(nativeDefault("SCHEMA_REGISTRY_URL")).toMatch(/\/apis\/ccompat\/v7$/);
    expect(compose.services["schema-registry"]?.image).toMatch(/^apicurio\/apicurio-registry/);
  });

  it("creates each service's database from the same list as the native setup", () => {
    const volumes = compose.services.postgres?.volumes ?? [];
    expect(volumes).toContain("./infra/services.txt:/platform/services.txt:ro");
    expect(volumes.some((v) => v.startsWith("./infra/postgres/docker-init.sh:"))).toBe(true);
    for (const volume of volumes.filter((v) => v.startsWith("./"))) {
      expect(existsSync(join(root, volume.split(":")[0] ?? ""))).toBe(true);
    }
  });

  it("runs every service in services/ with the platform's variables", () => {
    const servicesDir = join(root, "services");
    const services = existsSync(servicesDir)
      ? readdirSync(servicesDir).filter((name) => existsSync(join(servicesDir, name, "package.json")))
      : [];
    for (const name of services) {
      const service = compose.services[name];
      expect(service).toBeDefined();
      expect(Object.keys(service?.environment ?? {})).toEqual(
        expect.arrayContaining(["KAFKA_BROKERS", "SCHEMA_REGISTRY_URL", "DATABASE_URL"]),
      );
    }
  });
});
