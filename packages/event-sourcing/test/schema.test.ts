import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checkDrift } from "@platform/database";
import { infrastructure } from "@platform/testkit";

const root = join(__dirname, "../../..");
const canonical = readFileSync(join(__dirname, "../prisma/event-sourcing.prisma"), "utf8");

/** Where the kit's tables must be: the fixture's schema and every service's (prisma/schema/). */
function copies(): string[] {
  const servicesDir = join(root, "services");
  const services = existsSync(servicesDir)
    ? readdirSync(servicesDir).map((name) => join(servicesDir, name))
    : [];
  return [join(__dirname, "fixture"), ...services.filter((dir) => existsSync(join(dir, "prisma")))].map(
    (dir) => join(dir, "prisma/schema/event-sourcing.prisma"),
  );
}

describe("the kit's tables in service schemas", () => {
  it.each(copies())("%s is the kit's event-sourcing.prisma, unchanged", (file) => {
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, "utf8")).toBe(canonical);
  });

  it("the fixture's migrations produce its schema", async () => {
    const drift = await checkDrift({
      serviceDir: join(__dirname, "fixture"),
      adminUrl: infrastructure().postgresAdminUrl,
    });
    expect(drift).toBe("");
  });
});
