/**
 * Debian's Chromium for the browser tests, in one place: the launch flags (no network, and the
 * software GPU each test needs), an esbuild bundle of a test page's entry, and a loopback HTTP
 * server for it. Never a downloaded browser.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { build, type Plugin } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';

/** Where Debian installs Chromium (`apt-get install -y chromium`). */
export const CHROMIUM = '/usr/bin/chromium';

/** A tap `skip` value: false when Chromium is installed, else the reason. */
export const CHROMIUM_SKIP: false | string = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} missing (apt-get install -y chromium)`;

/**
 * The graphics a page needs: `none` (GPU off), `webgl` (SwiftShader's software WebGL through
 * ANGLE) or `webgpu` (a WebGPU adapter on SwiftShader's software Vulkan, shipped with Debian's
 * Chromium: real WebGPU kernels, no GPU speed).
 */
export type PageGraphics = 'none' | 'webgl' | 'webgpu';

const GRAPHICS_FLAGS: Readonly<Record<PageGraphics, readonly string[]>> = {
  none: ['--disable-gpu'],
  webgl: ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  webgpu: ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan'],
};

/** Launches headless Chromium with nothing that reaches the network, and the given graphics. */
export function launchChromium(graphics: PageGraphics = 'none'): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...GRAPHICS_FLAGS[graphics],
    ],
  });
}

/** Node built-ins become empty modules: the browser paths never call them (files, workers). */
const nodeBuiltinsAsStubs: Plugin = {
  name: 'node-builtins-as-stubs',
  setup(b) {
    b.onResolve({ filter: /^(node:|fs$|path$|os$|url$|module$|worker_threads$)/ }, (args) => ({
      path: args.path,
      namespace: 'stub',
    }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

/** Bundles a test page's entry (TypeScript, the workspace packages' dist) into one ES module. */
export async function bundleForBrowser(entry: string): Promise<Uint8Array> {
  const bundle = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
    plugins: [nodeBuiltinsAsStubs],
  });
  const out = bundle.outputFiles[0];
  if (out === undefined) throw new Error(`esbuild gave no output for ${entry}`);
  return out.contents;
}

/** A file the page's server answers with. */
export interface ServedFile {
  readonly type: string;
  readonly body: Uint8Array | string;
}

/** A page served on loopback; `close` stops the server. */
export interface ServedPage {
  /** `http://127.0.0.1:<port>/`: the page that loads the bundle as `/app.js`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves a page that runs `app` (a bundle) as a module, plus whatever `more` answers for other
 * paths (404 where it gives nothing).
 */
export async function servePage(app: Uint8Array, more?: (path: string) => ServedFile | undefined): Promise<ServedPage> {
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    const file: ServedFile | undefined =
      path === '/'
        ? { type: 'text/html', body: '<!doctype html><script type="module" src="/app.js"></script>' }
        : path === '/app.js'
          ? { type: 'text/javascript', body: app }
          : more?.(path);
    if (file === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': file.type }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
