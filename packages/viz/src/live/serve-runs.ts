import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { basename, resolve } from 'node:path';
import { readRunsSync, runNames } from '@monitorch/core';
import { escapeMarkup } from '../escape.js';
import { renderFigure } from '../figure/render-figure.js';
import { RunList } from '../runs/run-list.js';
import { SAFE_HEADERS, allowedHost, keepAlive, listen, send } from './http.js';
import { RUNS_PAGE_JS, runsPageHtml } from './runs-page.js';

/** Options of {@link serveRuns}. */
export interface ServeRunsOptions {
  /** Port (default 0: any free port; read the chosen one from `url`). */
  readonly port?: number;
  /** The only interface the server listens on (default `127.0.0.1`: this machine only). */
  readonly host?: string;
  /** Page title (default: `monitorch · <directory>`). */
  readonly title?: string;
  /** How often the directory is looked at, in ms (default 1000). */
  readonly pollMs?: number;
}

/** A running runs page. */
export interface RunsPage {
  /** Address of the page, e.g. `http://127.0.0.1:53211/`. */
  readonly url: string;
  /** How many times a run's tables were read so far: only runs shown on a page, once per change. */
  readonly tablesRead: number;
  /** Stops the server and ends every open page's event stream. */
  close(): Promise<void>;
}

const ROUTES = new Set(['/', '/runs.js', '/runs.json', '/figure.svg', '/events']);
/** Most runs one overlay figure draws: beyond ten, colours repeat and the figure says so. */
const MAX_OVERLAY = 20;
const MAX_PAGE = 200;

/**
 * Serves a page over a directory of runs (`runs/`, each subdirectory a run): a paged list with
 * each run's label, start time, status (running / finished / crashed), epochs, final loss and
 * metrics; ticked runs are overlaid in one figure drawn here, which follows a running run live.
 *
 * The directory is polled (names, sizes and mtimes of run files; run.json only when it
 * changed); a run's tables are read only when it is on the list page a browser asks for, or
 * ticked, and only again after it changed. The server binds only to `host`, serves a fixed set
 * of routes, takes run names only from its own listing (never a path from a request) and every
 * name reaches the page as text.
 *
 * @example
 * ```ts
 * const page = await serveRuns('runs');
 * console.log(`open ${page.url}`);
 * ```
 * @param dir - a directory whose subdirectories are run directories
 * @param options - port, host, title, poll interval
 */
export async function serveRuns(dir: string, options: ServeRunsOptions = {}): Promise<RunsPage> {
  const host = options.host ?? '127.0.0.1';
  const title = options.title ?? `monitorch · ${basename(resolve(dir))}`;
  const list = new RunList(dir);
  list.scan();
  const clients = new Set<ServerResponse>();
  let figureCache: { key: string; svg: string } | undefined;

  const broadcast = (event: string, data: unknown): void => {
    const message = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of clients) res.write(message);
  };
  const poll = setInterval(() => {
    const changed = list.scan();
    if (changed.length > 0) broadcast('changed', { runs: changed });
  }, options.pollMs ?? 1000);
  poll.unref();

  const figureSvg = (names: readonly string[]): string => {
    const key = names.map((n) => `${n}\u0000${list.signatureOf(n) ?? ''}`).join('\u0001');
    if (figureCache?.key !== key) {
      let svg: string;
      try {
        const dirs = names.map((n) => list.dirOf(n) ?? n);
        // A damaged run still shows its intact epochs here; `monitorch plot` says what is damaged.
        const tables = readRunsSync(dirs, { damaged: 'recover' });
        svg = renderFigure(tables, { tooltips: true, runs: runNames(dirs).map((r) => r.run) }).svg;
      } catch (e) {
        svg =
          '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="40"><text x="10" y="24" font-family="sans-serif" font-size="13">' +
          `${escapeMarkup(`Could not draw the figure: ${e instanceof Error ? e.message : String(e)}`)}</text></svg>`;
      }
      figureCache = { key, svg };
    }
    return figureCache.svg;
  };

  let port = 0;
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const [path = '', query = ''] = (req.url ?? '').split('?');
    if (!allowedHost(req.headers.host, host, port)) {
      send(res, 403, 'text/plain; charset=utf-8', 'Forbidden: unexpected Host header.\n');
      return;
    }
    if (!ROUTES.has(path)) {
      send(res, 404, 'text/plain; charset=utf-8', 'Not found.\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      send(res, 405, 'text/plain; charset=utf-8', 'Method not allowed.\n');
      return;
    }
    const params = new URLSearchParams(query);
    switch (path) {
      case '/':
        send(res, 200, 'text/html; charset=utf-8', runsPageHtml(title), {
          'Content-Security-Policy':
            "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        });
        return;
      case '/runs.js':
        send(res, 200, 'text/javascript; charset=utf-8', RUNS_PAGE_JS);
        return;
      case '/runs.json': {
        const offset = wholeNumber(params.get('offset'), 0);
        const limit = Math.min(MAX_PAGE, Math.max(1, wholeNumber(params.get('limit'), 50)));
        const body = { total: list.size, offset, rows: list.rows(offset, limit) };
        send(res, 200, 'application/json; charset=utf-8', JSON.stringify(body));
        return;
      }
      case '/figure.svg': {
        // Names only from the listing: a request cannot make the server read any other path.
        const names = [...new Set(params.getAll('run'))].filter((n) => list.dirOf(n) !== undefined);
        if (names.length === 0) {
          send(res, 404, 'text/plain; charset=utf-8', 'No such run in this directory: tick runs from the list.\n');
          return;
        }
        if (names.length > MAX_OVERLAY) {
          send(res, 400, 'text/plain; charset=utf-8', `Tick at most ${MAX_OVERLAY} runs to overlay.\n`);
          return;
        }
        send(res, 200, 'image/svg+xml; charset=utf-8', figureSvg(names), {
          'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
        });
        return;
      }
      default: // '/events'
        res.writeHead(200, {
          ...SAFE_HEADERS,
          'Content-Type': 'text/event-stream; charset=utf-8',
          Connection: 'keep-alive',
        });
        res.write(`retry: 1000\nevent: hello\ndata: ${JSON.stringify({ total: list.size })}\n\n`);
        if (req.method === 'HEAD') {
          res.end();
          return;
        }
        clients.add(res);
        req.on('close', () => clients.delete(res));
    }
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      if (!res.headersSent)
        send(res, 500, 'text/plain; charset=utf-8', `Internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      else res.end();
    }
  });
  const heartbeat = keepAlive(clients);

  const listening = await listen(server, host, options.port ?? 0);
  port = listening.port;
  const url = listening.url;
  return {
    url,
    get tablesRead() {
      return list.tablesRead;
    },
    async close(): Promise<void> {
      clearInterval(poll);
      clearInterval(heartbeat);
      broadcast('stopped', {});
      for (const res of clients) res.end();
      clients.clear();
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
    },
  };
}

function wholeNumber(text: string | null, fallback: number): number {
  const n = Number(text);
  return text !== null && Number.isInteger(n) && n >= 0 ? n : fallback;
}
