// One jest configuration for every package: TypeScript through SWC (type checking is `tsc --noEmit`,
// run by the typecheck task), workspace packages resolved to their sources so tests never need a build.
const path = require("node:path");

// Dependencies that ship only ES modules: jest's CommonJS runtime (on Node 20) cannot require them,
// so SWC compiles them like our own sources. Matches pnpm's real path (.pnpm/<name>@x/node_modules/<name>).
const ESM_ONLY = ["jose", "openid-client", "oauth4webapi", "oidc-provider"];
const esmOnly = `(?!(\\.pnpm/(${ESM_ONLY.join("|")})@[^/]+/node_modules/)?(${ESM_ONLY.join("|")})/)`;

/** @param {string} packageDir the package's folder (pass __dirname) */
function jestConfig(packageDir, overrides = {}) {
  return {
    rootDir: packageDir,
    testEnvironment: "node",
    transform: {
      "^.+\\.(t|j)s$": [
        "@swc/jest",
        {
          jsc: { parser: { syntax: "typescript", decorators: false }, target: "es2022" },
          module: { type: "commonjs" },
        },
      ],
    },
    moduleNameMapper: {
      "^@platform/([a-z-]+)$": path.join(__dirname, "packages/$1/src/index.ts"),
      // Prisma 7's generated client imports its own files NodeNext-style ("./internal/class.js"),
      // which tsc and tsx resolve to .ts but jest does not.
      "^(\\.{1,2}/.*)\\.js$": "$1",
    },
    transformIgnorePatterns: [`/node_modules/${esmOnly}`],
    testMatch: ["<rootDir>/src/**/*.test.ts", "<rootDir>/test/**/*.test.ts"],
    testTimeout: 60_000,
    reporters: ["default", path.join(__dirname, "infra/jest-summary-reporter.js")],
    ...overrides,
  };
}

/** For suites that talk to Kafka, the registry and Postgres: finds them, or starts containers, or fails. */
jestConfig.withInfrastructure = (packageDir, overrides = {}) =>
  jestConfig(packageDir, {
    globalSetup: path.join(__dirname, "packages/testkit/src/jest-global-setup.ts"),
    globalTeardown: path.join(__dirname, "packages/testkit/src/jest-global-teardown.ts"),
    ...overrides,
  });

module.exports = jestConfig;
