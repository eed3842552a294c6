#!/usr/bin/env node
// The rnn-lab command, as built by `npm run build:node` (npm install and npm ci run it).
import { runCli } from '../out/node/cli.mjs';

await runCli();
