import type { StartedTestContainer } from "testcontainers";
import { provideInfrastructure } from "./containers";

declare global {
  var __platformContainers: StartedTestContainer[] | undefined;
}

export default async function globalSetup(): Promise<void> {
  globalThis.__platformContainers = await provideInfrastructure();
}
