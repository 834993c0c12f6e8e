import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A route: answers one request; `n` is the 1-based count of requests to this path so far. */
export type Route = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

/** A local HTTP server on 127.0.0.1 with a random port, counting requests per path. */
export interface TestServer {
  url: (p: string) => string;
  hits: (p: string) => number;
  close: () => Promise<void>;
}

export async function startServer(routes: Record<string, Route>): Promise<TestServer> {
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const p = req.url ?? '/';
    const n = (counts.get(p) ?? 0) + 1;
    counts.set(p, n);
    const route = routes[p];
    if (route === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    route(req, res, n);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: (p) => `http://127.0.0.1:${port}${p}`,
    hits: (p) => counts.get(p) ?? 0,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Sends `body` in small chunks (so progress is reported several times). */
export function sendBody(res: http.ServerResponse, body: Buffer, chunk = 8192): void {
  res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length });
  // Pauses between chunks so the client sees separate reads (and reports progress several times).
  const next = (o: number): void => {
    if (o >= body.length) {
      res.end();
      return;
    }
    res.write(body.subarray(o, o + chunk), () => setTimeout(() => next(o + chunk), 2));
  };
  next(0);
}

/** Announces the full length, sends half, then drops the connection. */
export function sendHalfAndCut(res: http.ServerResponse, body: Buffer): void {
  res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length });
  res.write(body.subarray(0, body.length >> 1), () => setTimeout(() => res.socket?.destroy(), 20));
}
