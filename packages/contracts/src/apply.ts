import { ensureTopics } from "@platform/messaging";
import type { Admin } from "kafkajs";
import type { Contracts } from "./contracts";
import { RegistryAdmin } from "./registry-admin";

export interface ApplyOptions {
  admin: Admin;
  registryUrl: string;
  contracts: Contracts;
  /** Prefixes every topic and subject name: lets tests apply the real contracts in isolation. */
  namePrefix?: string;
  log?: (line: string) => void;
}

export interface AppliedSubject {
  subject: string;
  ids: number[];
}

/**
 * Creates missing topics with their declared partitions and configs, sets each subject's
 * compatibility level, then registers every version of it in order. Re-running is a no-op (the
 * registry answers known schemas with their existing id); an incompatible version fails loudly with
 * the registry's reason, and nothing after it is registered.
 */
export async function applyContracts(options: ApplyOptions): Promise<AppliedSubject[]> {
  const prefix = options.namePrefix ?? "";
  const log = options.log ?? (() => undefined);
  const created = await ensureTopics(
    options.admin,
    options.contracts.topics.map((topic) => ({
      topic: prefix + topic.name,
      partitions: topic.partitions,
      replicationFactor: topic.replicationFactor,
      config: topic.config,
    })),
  );
  for (const topic of created) log(`created topic ${topic}`);

  const registry = new RegistryAdmin(options.registryUrl);
  const applied: AppliedSubject[] = [];
  for (const contract of options.contracts.subjects) {
    const subject = prefix + contract.subject;
    await registry.setCompatibility(subject, contract.compatibility);
    const ids: number[] = [];
    for (const { version, schema } of contract.versions)
      ids.push(await registry.register(subject, version, schema));
    log(
      `${subject}: ${contract.versions.length} version(s), ${contract.compatibility}, ids ${ids.join(", ")}`,
    );
    applied.push({ subject, ids });
  }
  return applied;
}
