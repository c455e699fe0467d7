#!/usr/bin/env node
// `warddesk …` (also `npx warddesk …` and `npm start`): builds what the command
// needs when its sources changed (bin/build.js; nothing when they did not),
// then runs the compiled CLI. `start` serves the officials' app and
// `city hub` the city dashboard, so those also need their web builds.
import { ensureBuilt } from './build.js';

const [command, sub] = process.argv.slice(2);
/** @type {import('./build.js').Part[]} */
const parts = command === 'start' ? ['server', 'pwa'] : command === 'city' && sub === 'hub' ? ['server', 'hub'] : ['server'];
// Only the servers say that nothing was rebuilt; other commands keep their output clean.
await ensureBuilt(parts, { quiet: parts.length === 1 });
// A computed URL: the compiled CLI is not a module for tsc to check here (node/cli.ts is checked).
await import(new URL('../dist/node/cli.js', import.meta.url).href);
