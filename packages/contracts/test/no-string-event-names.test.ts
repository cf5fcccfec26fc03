/**
 * Services name their event types through the generated catalogs (IdentityEvent.UserSignedUp, …), never
 * as strings: a renamed or removed record then fails to compile instead of silently matching nothing.
 * The files are found on disk, so a new service or module is covered without being listed.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const repo = join(__dirname, "../../..");
const EVENT_NAME = /["'`]platform\.(identity|tenancy|billing|usage|webhooks|analytics)\.[A-Z]\w*["'`]/g;

function sourcesOf(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !file.includes("/generated/") && !file.includes("node_modules"));
}

it("no service source names an event type as a string literal", () => {
  const servicesDir = join(repo, "services");
  const offenders = readdirSync(servicesDir)
    .flatMap((service) => {
      try {
        return sourcesOf(join(servicesDir, service, "src"));
      } catch {
        return [];
      }
    })
    .flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(EVENT_NAME)].map(
        (match) => `${relative(repo, file)}: ${match[0]}`,
      ),
    );
  expect(offenders).toEqual([]);
});

it("recognises a string event name (the check can fail)", () => {
  expect('type: "platform.tenancy.GroupCreated"'.match(EVENT_NAME)).toHaveLength(1);
});
