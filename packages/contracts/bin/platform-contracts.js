#!/usr/bin/env node
// Runs the TypeScript CLI through tsx (no build step in this repository).
require("tsx/cjs");
require("../src/cli.ts");
