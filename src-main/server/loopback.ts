/** Which host names mean this machine: what browse mode serves and a plain Redis URL may reach without a password. */

/** localhost, 127.0.0.0/8 and ::1: traffic that never leaves this machine */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
