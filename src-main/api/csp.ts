/**
 * The renderer's Content-Security-Policy, one text for every shell: the server sends it as a
 * header, the desktop window's session adds it to responses, and the renderer build writes it
 * into index.html as a <meta> (which is what applies to file:// pages).
 *
 * No inline scripts and no eval. Styles come from the bundled CSS files only: Vue and Chart.js
 * set styles through the CSSOM (element.style), which CSP does not restrict, so 'unsafe-inline'
 * is not needed.
 */
const DIRECTIVES: [string, string][] = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  ['style-src', "'self'"],
  ['img-src', "'self' data: blob:"],
  ['font-src', "'self'"],
  ['connect-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
];

/** As an HTTP header (adds frame-ancestors, which a <meta> policy may not carry). */
export const CONTENT_SECURITY_POLICY = [...DIRECTIVES, ['frame-ancestors', "'none'"]].map(([k, v]) => `${k} ${v}`).join('; ');

/** As the content of <meta http-equiv="Content-Security-Policy">. */
export const CONTENT_SECURITY_POLICY_META = DIRECTIVES.map(([k, v]) => `${k} ${v}`).join('; ');
