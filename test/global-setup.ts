// Builds the Node bundles (workers and CLI) once before any test file runs: the pool and CLI tests
// use the built worker, as the app does, and parallel test files must not rebuild it under each other.
import { buildNode } from '../scripts/build-node.mjs';

export default async function setup(): Promise<void> {
  await buildNode();
}
