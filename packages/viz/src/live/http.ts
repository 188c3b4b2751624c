import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// What both live servers (one run, a directory of runs) answer alike: safe headers, plain
// responses, and the Host check against DNS rebinding.

/** Headers on every response: no sniffing, no caching, no referrer, same-origin only. */
export const SAFE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

/**
 * Sends a whole response (no body for HEAD).
 *
 * @param res - the response
 * @param status - HTTP status
 * @param type - Content-Type
 * @param body - the body
 * @param extra - more headers
 */
export function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, { ...SAFE_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/**
 * Refuses requests addressed by another name (DNS rebinding): only this host or loopback names.
 *
 * @param header - the request's Host header
 * @param host - the interface listened on
 * @param port - the port listened on
 */
export function allowedHost(header: string | undefined, host: string, port: number): boolean {
  if (header === undefined) return true; // HTTP/1.0 clients; the socket is already bound to `host`
  const names = new Set([host, 'localhost', '127.0.0.1', '[::1]', host.includes(':') ? `[${host}]` : host]);
  for (const name of names) if (header === `${name}:${port}`) return true;
  return false;
}

/**
 * Starts `server` listening on `host` (a loopback interface by the callers' defaults) and
 * resolves with the chosen port and the page's URL (IPv6 hosts in brackets).
 *
 * @param server - the HTTP server
 * @param host - the interface to listen on
 * @param port - the port, 0 for any free one
 */
export async function listen(server: Server, host: string, port: number): Promise<{ port: number; url: string }> {
  await new Promise<void>((done, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      done();
    });
  });
  const chosen = (server.address() as AddressInfo).port;
  return { port: chosen, url: `http://${host.includes(':') ? `[${host}]` : host}:${chosen}/` };
}

/**
 * Writes an SSE comment to every open event stream every 15 s, so proxies and browsers keep
 * idle streams open. The timer does not keep the process alive; clear it on close.
 *
 * @param clients - the open event streams
 */
export function keepAlive(clients: ReadonlySet<ServerResponse>): NodeJS.Timeout {
  const timer = setInterval(() => {
    for (const res of clients) res.write(': keep-alive\n\n');
  }, 15_000);
  timer.unref();
  return timer;
}
