#!/usr/bin/env node
// The CLI is TypeScript run through tsx (like every tool in this repository): no build step.
require("tsx/cjs");
require("../src/cli.ts").run(process.argv.slice(2));
