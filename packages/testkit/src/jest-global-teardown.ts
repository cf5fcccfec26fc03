export default async function globalTeardown(): Promise<void> {
  for (const container of globalThis.__platformContainers ?? []) await container.stop();
}
