/**
 * One contender in the runs.claim race (test/store/runs.test.ts starts several of these as
 * separate processes). Args: database path, start time (ms since epoch), first and last run id,
 * and where in that range to start (contenders start at different places and wrap around, so
 * they collide all along the range). Prints the ids it won as JSON.
 */
import { openDatabase } from '../../src-main/store/database.ts';
import { LabStore } from '../../src-main/store/lab-store.ts';

const [path, startAt, firstArg, lastArg, offsetArg] = process.argv.slice(2);
const first = Number(firstArg);
const n = Number(lastArg) - first + 1;
const store = new LabStore(openDatabase(path));
while (Date.now() < Number(startAt)) {
  // spin so every contender starts claiming at the same moment
}
const won: number[] = [];
for (let i = 0; i < n; i++) {
  const id = first + ((i + Number(offsetArg)) % n);
  if (store.runs.claim(id, process.pid)) won.push(id);
}
store.close();
process.stdout.write(JSON.stringify(won));
