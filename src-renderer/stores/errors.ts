import { LabApiError } from '../api/client.ts';

/** A message for the user from anything thrown by a LabClient call. */
export function errorMessage(e: unknown): string {
  if (e instanceof LabApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

export interface FieldError {
  /** the API's field path, e.g. "hidden", "optimizer.lr", "cadence.evalEvery", "spec.budget.hidden" */
  field: string;
  message: string;
}

/**
 * The field a refused experiment spec is about. The lab's invalid-config messages start with the
 * field's path ("optimizer.lr: must be a finite number in (0, 10], got 0"), and so do the request
 * schema's bad-request ones, with the request's nesting ("spec.budget.hidden: must be ..."), so the
 * form can show the rest of the message beside that field.
 */
export function refusedField(e: unknown): FieldError | null {
  if (!(e instanceof LabApiError) || (e.code !== 'invalid-config' && e.code !== 'bad-request')) return null;
  const m = /^([A-Za-z][\w]*(?:\.[\w]+)*): ([\s\S]+)$/.exec(e.message);
  if (!m || (e.code === 'bad-request' && !/^(spec|corpusId)\b/.test(m[1]))) return null;
  return { field: m[1], message: m[2] };
}
