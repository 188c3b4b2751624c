import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { basename } from 'node:path';
import type { Table } from 'apache-arrow';
import type { EpochClosed, Inspector } from '@monitorch/core';
import { escapeMarkup } from '../escape.js';
import { renderFigure } from '../figure/render-figure.js';
import { readRunTables } from '../figure/run-loader.js';
import { ProgressTracker, type BatchProgress, type ProgressSnapshot } from '../progress.js';
import { followRunDir } from './follow-run-dir.js';
import { SAFE_HEADERS, allowedHost, keepAlive, listen, send } from './http.js';
import { LIVE_PAGE_JS, livePageHtml } from './page.js';

/** Options of {@link serve}. */
export interface ServeOptions {
  /** Port (default 0: any free port; read the chosen one from `url`). */
  readonly port?: number;
  /** The only interface the server listens on (default `127.0.0.1`: this machine only). */
  readonly host?: string;
  /** Page title (default: the run directory, or "monitorch live"). */
  readonly title?: string;
  /** How often a run directory is checked for new rows, in ms (default 1000). */
  readonly pollMs?: number;
  /**
   * Draw the intact rows of a damaged run directory (default false: a damaged run is an
   * error, `RUN_DAMAGED`, when the page draws it).
   */
  readonly acceptDamage?: boolean;
}

/** A running live page. */
export interface LivePage {
  /** Address of the page, e.g. `http://127.0.0.1:53211/`. */
  readonly url: string;
  /** Reports batch progress (shown on the page with rate and ETA). Cheap: pushes are coalesced. */
  progress(p: BatchProgress): void;
  /**
   * Stops the server and ends every open page's event stream. A page whose run had not
   * finished is told the server stopped, so it does not wait for it.
   */
  close(): Promise<void>;
}

/**
 * What the live page needs from an Inspector: its epoch stream and tables. Any object with
 * these members works (an Inspector always does).
 */
export type LiveInspector = Pick<Inspector, 'epochs$' | 'allTables' | 'epoch' | 'run'>;

/** What every page learns on connect and after every epoch. */
interface PageState {
  epoch: number;
  run: number;
  version: number;
  /** The run is over: the Inspector was closed, or every table of the run directory has its `.arrow`. */
  done: boolean;
  /** ISO time the run finished (with `done`). */
  finishedAt: string | undefined;
  /** Batch progress of the epoch being trained; cleared when the run is done. */
  progress: ProgressSnapshot | undefined;
}

const ROUTES = new Set(['/', '/page.js', '/figure.svg', '/events', '/progress']);
const PROGRESS_PUSH_MS = 200;

/**
 * Serves a live page of a run: the figure, redrawn after every closed epoch, with batch
 * progress. Give it the Inspector of a run in this process, or a run directory (a finished run,
 * or one another process is still writing: the directory is re-read when its files change).
 *
 * The figure is drawn at most once per epoch and only when a page asks for it, so the training
 * loop never waits for drawing. The server binds only to `host`, serves a fixed set of routes
 * (nothing from disk by path) and escapes every name.
 *
 * @example
 * ```ts
 * const page = await serve(inspector);
 * console.log(`open ${page.url}`);
 * // in the loop: page.progress({ epoch, batch, batches, loss });
 * await page.close();
 * ```
 */
export async function serve(source: LiveInspector | string, options: ServeOptions = {}): Promise<LivePage> {
  const host = options.host ?? '127.0.0.1';
  const title = options.title ?? (typeof source === 'string' ? `monitorch · ${basename(source)}` : 'monitorch live');
  const tracker = new ProgressTracker();
  const state: PageState = { epoch: 0, run: 0, version: 0, done: false, finishedAt: undefined, progress: undefined };
  const clients = new Set<ServerResponse>();
  let cached: { version: number; svg: string } | undefined;
  let progressTimer: NodeJS.Timeout | undefined;

  const tables = (): Map<string, Table> | readonly Table[] =>
    typeof source === 'string'
      ? readRunTables(source, { damaged: options.acceptDamage === true ? 'recover' : 'throw' })
      : source.allTables();

  const broadcast = (event: string, data: unknown): void => {
    const message = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of clients) res.write(message);
  };

  const onEpoch = (epoch: number, run: number): void => {
    state.epoch = epoch;
    state.run = run;
    state.version += 1;
    broadcast('epoch', state);
  };

  const finish = (at: string): void => {
    state.done = true;
    state.finishedAt = at;
    // The last batch report would keep saying "ETA 0s" to every page that connects later.
    state.progress = undefined;
    if (progressTimer !== undefined) clearTimeout(progressTimer);
    progressTimer = undefined;
    broadcast('done', state);
  };

  // Follow the source.
  let stopFollowing: () => void;
  if (typeof source === 'string') {
    stopFollowing = followRunDir(source, options.pollMs ?? 1000, ({ epoch, finishedAt }) => {
      // A new run in the same directory removes the finished files: it is live again.
      if (finishedAt === undefined) {
        state.done = false;
        state.finishedAt = undefined;
      }
      onEpoch(epoch, 1);
      if (finishedAt !== undefined && !state.done) finish(finishedAt);
    });
  } else {
    const sub = source.epochs$.subscribe({
      next: (closed: EpochClosed) => onEpoch(closed.epoch, closed.run),
      // Nothing new to draw: closing an Inspector ticks any open epoch first, which came as `next`.
      complete: () => finish(new Date().toISOString()),
    });
    state.run = source.run;
    state.epoch = Math.max(0, source.epoch - 1);
    stopFollowing = () => sub.unsubscribe();
  }

  const figureSvg = (): string => {
    if (cached?.version !== state.version) {
      let svg: string;
      try {
        svg = renderFigure(tables(), { tooltips: true }).svg;
      } catch (e) {
        svg =
          `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="40"><text x="10" y="24" font-family="sans-serif" font-size="13">` +
          `${escapeMarkup(`Could not draw the figure: ${e instanceof Error ? e.message : String(e)}`)}</text></svg>`;
      }
      cached = { version: state.version, svg };
    }
    return cached.svg;
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

  let port = 0;
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    // Exact match on the raw path: no URL normalisation, so `/%2e%2e/` or `/../x` never
    // becomes a route, and nothing is ever read from disk by path.
    const path = (req.url ?? '').split('?')[0] ?? '';
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
    switch (path) {
      case '/':
        send(res, 200, 'text/html; charset=utf-8', livePageHtml(title), {
          'Content-Security-Policy':
            "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        });
        return;
      case '/page.js':
        send(res, 200, 'text/javascript; charset=utf-8', LIVE_PAGE_JS);
        return;
      case '/figure.svg':
        send(res, 200, 'image/svg+xml; charset=utf-8', figureSvg(), {
          'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
        });
        return;
      case '/progress':
        send(res, 200, 'application/json; charset=utf-8', JSON.stringify(state.progress ?? null));
        return;
      default: // '/events'
        res.writeHead(200, {
          ...SAFE_HEADERS,
          'Content-Type': 'text/event-stream; charset=utf-8',
          Connection: 'keep-alive',
        });
        res.write(`retry: 1000\nevent: hello\ndata: ${JSON.stringify(state)}\n\n`);
        if (req.method === 'HEAD') {
          res.end();
          return;
        }
        clients.add(res);
        req.on('close', () => clients.delete(res));
    }
  };

  const heartbeat = keepAlive(clients);

  const listening = await listen(server, host, options.port ?? 0);
  port = listening.port;
  const url = listening.url;

  return {
    url,
    progress(p: BatchProgress): void {
      if (state.done) return; // a finished run has no progress to show
      state.progress = tracker.update(p);
      // Coalesce: at most one push per PROGRESS_PUSH_MS, whatever the batch rate.
      if (progressTimer === undefined) {
        progressTimer = setTimeout(() => {
          progressTimer = undefined;
          broadcast('progress', state.progress);
        }, PROGRESS_PUSH_MS);
        progressTimer.unref();
      }
    },
    async close(): Promise<void> {
      stopFollowing();
      clearInterval(heartbeat);
      if (progressTimer !== undefined) clearTimeout(progressTimer);
      // Pages would otherwise retry the event stream for ever and keep showing "live".
      if (!state.done) broadcast('stopped', state);
      for (const res of clients) res.end();
      clients.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
