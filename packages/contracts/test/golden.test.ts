/** Every version's committed golden sample decodes with its own and every later reader schema. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { avroTypeOf } from "@platform/messaging";
import { goldenSamplePath, loadContracts, readGoldenSample } from "../src";

const contracts = loadContracts(join(__dirname, "../../../schemas"));
const cases = contracts.subjects.flatMap((subject) =>
  subject.versions.flatMap((writer) =>
    subject.versions
      .filter((reader) => reader.version >= writer.version)
      .map((reader) => [subject.subject, writer.version, reader.version, writer, reader] as const),
  ),
);

describe("golden samples", () => {
  it("exist for every version (`platform-contracts samples` writes missing ones)", () => {
    for (const subject of contracts.subjects) {
      for (const version of subject.versions) expect(existsSync(goldenSamplePath(version))).toBe(true);
    }
  });

  it.each(cases)("%s v%i decodes with the v%i reader", (_subject, _w, _r, writer, reader) => {
    const writerType = avroTypeOf(writer.schema);
    const readerType = avroTypeOf(reader.schema);
    const decoded = readerType.fromBuffer(readGoldenSample(writer), readerType.createResolver(writerType));
    expect(readerType.isValid(decoded)).toBe(true);
    const original = writerType.fromBuffer(readGoldenSample(writer)) as Record<string, unknown>;
    for (const field of writer.schema.fields.filter((f) =>
      reader.schema.fields.some((r) => r.name === f.name),
    )) {
      expect(JSON.stringify((decoded as Record<string, unknown>)[field.name])).toBe(
        JSON.stringify(original[field.name]),
      );
    }
  });
});
