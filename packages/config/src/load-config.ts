import type { z } from "zod";

export interface ConfigProblem {
  /** The environment variable's name, e.g. `DATABASE_URL`. */
  variable: string;
  /** What is wrong with it: `is missing`, or what a valid value looks like. Never the value itself. */
  message: string;
}

/**
 * The environment cannot run this service. The message names every missing or invalid variable, one
 * per line, so one failed start tells the operator everything to fix (not one variable per restart).
 * Values are never echoed: a malformed DATABASE_URL may still hold a password.
 */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      [
        `invalid configuration: ${problems.length} environment variable${problems.length === 1 ? " is" : "s are"} missing or invalid`,
        ...problems.map((problem) => `  ${problem.variable}: ${problem.message}`),
      ].join("\n"),
    );
    this.name = "ConfigError";
  }
}

export type Environment = Record<string, string | undefined>;

/**
 * Validates the environment against `schema` once, at start, and returns the typed options that the
 * service then passes into its code (STYLE.md §10: nothing else reads `process.env`).
 *
 * A variable set to an empty or blank string counts as unset, so `PORT=` in an env file gets the default
 * and a required `DATABASE_URL=` is reported as missing rather than as an invalid URL.
 */
export function loadConfig<Schema extends z.ZodObject>(
  schema: Schema,
  env: Environment = process.env,
): z.output<Schema> {
  const input: Record<string, string> = {};
  for (const name of Object.keys(schema.shape)) {
    const value = env[name];
    if (value !== undefined && value.trim() !== "") input[name] = value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;

  const messages = new Map<string, string[]>();
  for (const issue of result.error.issues) {
    const variable = String(issue.path[0] ?? "(environment)");
    const message = input[variable] === undefined ? "is missing" : issue.message;
    const list = messages.get(variable) ?? [];
    if (!list.includes(message)) list.push(message);
    messages.set(variable, list);
  }
  throw new ConfigError([...messages].map(([variable, list]) => ({ variable, message: list.join("; ") })));
}
