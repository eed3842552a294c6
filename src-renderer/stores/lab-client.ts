/**
 * The one LabClient the stores use. main.ts provides the real one; tests provide a fake. Only
 * stores call it: components go through the stores.
 */
import type { LabClient } from '../../src-main/api/contract.ts';

let current: LabClient | null = null;

export function provideLabClient(client: LabClient): void {
  current = client;
}

export function labClient(): LabClient {
  if (!current) throw new Error('no LabClient: call provideLabClient first');
  return current;
}
