import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(__dirname, "../../..");
const canonical = readFileSync(join(__dirname, "../prisma/idempotency.prisma"), "utf8");

/** Services whose POSTs take Idempotency-Key carry the kit's table in prisma/schema/, unchanged. */
function copies(): string[] {
  const servicesDir = join(root, "services");
  return readdirSync(servicesDir)
    .map((name) => join(servicesDir, name, "prisma/schema/idempotency.prisma"))
    .filter((file) => existsSync(file));
}

it("billing carries the kit's idempotency table", () => {
  expect(copies()).toContain(join(root, "services/billing/prisma/schema/idempotency.prisma"));
});

it.each(copies())("%s is the kit's idempotency.prisma, unchanged", (file) => {
  expect(readFileSync(file, "utf8")).toBe(canonical);
});
