import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

const TYPES: Record<string, string> = { '.json': 'application/json', '.bin': 'application/octet-stream', '.js': 'text/javascript', '.html': 'text/html' };

/** A local test site: the page, its script, and folders served under URL prefixes. */
export interface TestSite {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `html` at `/`, `script` at `/dist/page.js` and each `folders[prefix]` under `/prefix/` on 127.0.0.1 (a real
 * origin, as IndexedDB and localStorage need). The script sits one folder deep so that `new URL('../models/…',
 * import.meta.url)` in a bundled package lands on `/models/…`, as next to an unbundled package.
 */
export async function serveTestSite(html: string, script: string, folders: Record<string, string>): Promise<TestSite> {
  const roots = Object.fromEntries(Object.entries(folders).map(([prefix, dir]) => [prefix, path.resolve(dir)]));
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (url.pathname === '/') return send(200, TYPES['.html'] as string, html);
    if (url.pathname === '/dist/page.js') return send(200, TYPES['.js'] as string, script);
    const [, prefix, ...rest] = url.pathname.split('/');
    const root = roots[prefix ?? ''];
    const file = root === undefined ? undefined : path.join(root, ...rest.map(decodeURIComponent));
    if (file === undefined || root === undefined || !file.startsWith(root + path.sep)) return send(404, 'text/plain', 'not found');
    readFile(file).then(
      (body) => send(200, TYPES[path.extname(file)] ?? 'application/octet-stream', body),
      () => send(404, 'text/plain', 'not found'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
