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

/**
 * The reader's value cut to the writer's shape: a nested record a later version widened (an added field
 * with its default, as InvoiceIssued v2's lines) still has to carry every value the writer wrote.
 */
function asWritten(value: unknown, written: unknown): unknown {
  if (Array.isArray(value) && Array.isArray(written))
    return value.map((item, i) => asWritten(item, written[i]));
  if (value && written && typeof value === "object" && typeof written === "object" && !Array.isArray(written))
    return Object.fromEntries(
      Object.keys(written).map((key) => [
        key,
        asWritten((value as Record<string, unknown>)[key], (written as Record<string, unknown>)[key]),
      ]),
    );
  return value;
}

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
      const value = (decoded as Record<string, unknown>)[field.name];
      expect(JSON.stringify(asWritten(value, original[field.name]))).toBe(
        JSON.stringify(original[field.name]),
      );
    }
  });
});
