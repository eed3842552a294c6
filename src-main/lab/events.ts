/** Where the services announce what changed; every front end listens through Lab.on. */
import type { LabEvent } from '../api/types.ts';

export class LabEvents {
  private readonly listeners = new Set<(e: LabEvent) => void>();

  on(listener: (e: LabEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(e: LabEvent): void {
    for (const l of this.listeners) l(e);
  }
}
