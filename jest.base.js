// One jest configuration for every package: TypeScript through SWC (type checking is `tsc --noEmit`,
// run by the typecheck task), workspace packages resolved to their sources so tests never need a build.
const path = require("node:path");

/** @param {string} packageDir the package's folder (pass __dirname) */
module.exports = function jestConfig(packageDir, overrides = {}) {
  return {
    rootDir: packageDir,
    testEnvironment: "node",
    transform: {
      "^.+\\.(t|j)s$": [
        "@swc/jest",
        { jsc: { parser: { syntax: "typescript", decorators: false }, target: "es2022" }, module: { type: "commonjs" } },
      ],
    },
    moduleNameMapper: {
      "^@platform/([a-z-]+)$": path.join(__dirname, "packages/$1/src/index.ts"),
    },
    testMatch: ["<rootDir>/src/**/*.test.ts", "<rootDir>/test/**/*.test.ts"],
    testTimeout: 60_000,
    ...overrides,
  };
};
