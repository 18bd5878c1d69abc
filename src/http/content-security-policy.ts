/**
 * The Content-Security-Policy directives helmet adds to its defaults. The page talks only to where it came
 * from and to the application's own public origins (PUBLIC_ORIGINS, and their ws:/wss: form for socket.io),
 * never to any host; styles only from the application ('unsafe-inline' for style attributes, no https: hosts).
 */
export function cspDirectives(publicOrigins: string[]): Record<string, string[]> {
  const sockets = publicOrigins.map((o) => o.replace(/^http/, 'ws'));
  return {
    'connect-src': ["'self'", ...publicOrigins, ...sockets],
    'media-src': ["'self'", 'blob:'],
    'style-src': ["'self'", "'unsafe-inline'"],
    'font-src': ["'self'", 'data:'],
  };
}
