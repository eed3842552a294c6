/** The lab's expected failures: the API turns the code into its own error codes, the message is the user's to read. */
export class LabError extends Error {
  constructor(readonly code: 'not-found' | 'bad-state' | 'bad-input', message: string) {
    super(message);
    this.name = 'LabError';
  }
}
