import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { avroTypeOf } from "@platform/messaging";
import type { Contracts, SchemaVersion } from "./contracts";

/** The encoded sample kept beside each version (Avro binary body, no registry header). */
export function goldenSamplePath(version: SchemaVersion): string {
  return version.file.replace(/\.avsc$/, ".golden.avro");
}

export function readGoldenSample(version: SchemaVersion): Buffer {
  return readFileSync(goldenSamplePath(version));
}

/**
 * Writes the golden sample of every version that has none yet; an existing sample is never
 * rewritten (it stands for records already on the topic). Returns the files written.
 */
export function writeMissingGoldenSamples(contracts: Contracts): string[] {
  const written: string[] = [];
  for (const subject of contracts.subjects) {
    for (const version of subject.versions) {
      const path = goldenSamplePath(version);
      if (existsSync(path)) continue;
      const type = avroTypeOf(version.schema);
      writeFileSync(path, type.toBuffer(type.random()));
      written.push(path);
    }
  }
  return written;
}
