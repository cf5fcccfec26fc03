import { spawn } from "node:child_process";
import path from "node:path";

/** An existing file for PRISMA_SCHEMA_ENGINE_BINARY: `prisma generate` checks that it exists and never runs it. */
export const SCHEMA_ENGINE_PLACEHOLDER = path.join(__dirname, "engine", "no-native-schema-engine.txt");

/** The environment `prisma generate` needs on a machine that cannot download Prisma's native engines. */
export function offlinePrismaEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...env,
    PRISMA_SCHEMA_ENGINE_BINARY: env.PRISMA_SCHEMA_ENGINE_BINARY || SCHEMA_ENGINE_PLACEHOLDER,
    // No update check or telemetry round trips to hosts that are not reachable.
    CHECKPOINT_DISABLE: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
  };
}

/** The Prisma CLI the service depends on, else this package's (both pinned to the same version). */
export function prismaCliPath(serviceDir: string): string {
  try {
    return require.resolve("prisma/build/index.js", { paths: [path.resolve(serviceDir)] });
  } catch {
    return require.resolve("prisma/build/index.js");
  }
}

export interface PrismaCommandResult {
  exitCode: number;
  output: string;
}

/**
 * Runs the Prisma CLI in the service folder (so it picks up its prisma.config.ts) with the offline
 * environment, e.g. `runPrisma(dir, ["generate"])`. Output is streamed through when `inherit` is set.
 */
export function runPrisma(
  serviceDir: string,
  args: string[],
  options: { inherit?: boolean } = {},
): Promise<PrismaCommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [prismaCliPath(serviceDir), ...args], {
      cwd: path.resolve(serviceDir),
      env: offlinePrismaEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const collect = (stream: NodeJS.WritableStream) => (chunk: string) => {
      output += chunk;
      if (options.inherit) stream.write(chunk);
    };
    child.stdout.setEncoding("utf8").on("data", collect(process.stdout));
    child.stderr.setEncoding("utf8").on("data", collect(process.stderr));
    child.on("error", reject);
    child.on("close", (code) => resolve({ exitCode: code ?? 1, output }));
  });
}

/** `prisma generate` for one service, offline. Throws with Prisma's output when it fails. */
export async function generateClient(
  serviceDir: string,
  options: { inherit?: boolean } = {},
): Promise<string> {
  const result = await runPrisma(serviceDir, ["generate"], options);
  if (result.exitCode !== 0)
    throw new Error(`prisma generate failed in ${serviceDir} (exit ${result.exitCode}):\n${result.output}`);
  return result.output;
}
