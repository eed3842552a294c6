import { LabApiError } from '../api/client.ts';

/** A message for the user from anything thrown by a LabClient call. */
export function errorMessage(e: unknown): string {
  if (e instanceof LabApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

export interface FieldError {
  /** the API's field path, e.g. "hidden", "optimizer.lr", "cadence.evalEvery" */
  field: string;
  message: string;
}

/**
 * The field an invalid-config error is about. The lab's messages start with the field's path
 * ("optimizer.lr: must be a finite number in (0, 10], got 0"), so the form can show the rest of the
 * message beside that field.
 */
export function invalidConfigField(e: unknown): FieldError | null {
  if (!(e instanceof LabApiError) || e.code !== 'invalid-config') return null;
  const m = /^([A-Za-z][\w]*(?:\.[\w]+)*): ([\s\S]+)$/.exec(e.message);
  if (!m) return null;
  return { field: m[1], message: m[2] };
}
