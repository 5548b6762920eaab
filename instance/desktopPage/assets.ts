/**
 * Serving a small local page: its HTML and CSS read from this folder's files, its browser TypeScript bundled with
 * esbuild when the server starts (nothing built is committed), Server-Sent Events, and the checks that keep a loopback
 * page to its own origin. The local console (local/console/server.ts) serves its page with the same helpers.
 */
import { readFileSync } from 'fs';
import type { IncomingMessage, ServerResponse } from 'http';

/** Everything a page loads comes from its own server: no external request, no inline script, no framing. */
const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

export interface PageAssets {
  readonly html: string;
  /** base.css (what the local pages share), then the page's own `<name>.css`: one stylesheet, one request. */
  readonly css: string;
  /** The bundled browser script (esbuild, minified IIFE); built once, on the first call. */
  script(): Promise<string>;
}

const loaded = new Map<string, PageAssets>();

/**
 * The page's files: `<dir>/index.html`, `<dir>/<name>.css` (after this folder's base.css) and the entry
 * `<dir>/<name>.client.ts`. Read once per process and bundled on the first request for the script, so the many
 * instances tests start cost nothing.
 */
export function pageAssets(dir: string, name: string): PageAssets {
  const key = `${dir}/${name}`;
  let assets = loaded.get(key);
  if (!assets) {
    let bundled: Promise<string> | undefined;
    assets = {
      html: readFileSync(`${dir}/index.html`, 'utf8'),
      css: `${readFileSync(`${__dirname}/base.css`, 'utf8')}\n${readFileSync(`${dir}/${name}.css`, 'utf8')}`,
      script: () => (bundled ??= bundle(`${dir}/${name}.client.ts`)),
    };
    loaded.set(key, assets);
  }
  return assets;
}

async function bundle(entry: string): Promise<string> {
  // esbuild is a development dependency, loaded only when a page is served.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

export function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { ...PAGE_HEADERS, 'Content-Type': `${type}; charset=utf-8` });
  response.end(body);
}

/** `/`, `/<name>.css` and `/<name>.js`; true when the request was one of them. */
export function servePage(assets: PageAssets, name: string, pathname: string, response: ServerResponse): boolean {
  if (pathname === '/' || pathname === '/index.html') send(response, 200, 'text/html', assets.html);
  else if (pathname === `/${name}.css`) send(response, 200, 'text/css', assets.css);
  else if (pathname === `/${name}.js`) {
    assets.script().then(
      (script) => send(response, 200, 'text/javascript', script),
      (error: Error) => send(response, 500, 'text/plain', `the page script did not build: ${error.message}`),
    );
  } else return false;
  return true;
}

/**
 * The request's URL on this server. Read as a path of 127.0.0.1 whatever it starts with: `new URL('//%', base)` would
 * take `//%` for another host and throw (a 500 the fuzz suite found, test/unit/fuzz/gatewayNames.test.ts).
 */
export function requestUrl(request: IncomingMessage): URL {
  const target = request.url ?? '/';
  return new URL(`http://127.0.0.1${target.startsWith('/') ? target : `/${target}`}`);
}

/**
 * A page on 127.0.0.1 is reachable by any site the browser opens. Refuse requests whose Host is not this loopback
 * server (DNS rebinding) and writes whose Origin is another site (a cross-site form post).
 */
export function isSameOrigin(request: IncomingMessage, port: number): boolean {
  const allowed = [`127.0.0.1:${port}`, `localhost:${port}`];
  if (!allowed.includes(request.headers.host ?? '')) return false;
  const origin = request.headers.origin;
  if (origin === undefined || request.method === 'GET' || request.method === 'HEAD') return true;
  return allowed.some((host) => origin === `http://${host}`);
}

export interface EventStream {
  send(event: string, data: unknown, id?: number): void;
  readonly closed: Promise<void>;
}

/** Starts a Server-Sent Events answer; a comment every 15 s keeps idle proxies and the browser from timing out. */
export function openEventStream(response: ServerResponse): EventStream {
  response.writeHead(200, {
    ...PAGE_HEADERS,
    'Content-Type': 'text/event-stream; charset=utf-8',
    Connection: 'keep-alive',
  });
  response.write('retry: 1000\n\n');
  const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), 15_000);
  keepAlive.unref();
  // The answer's close, not the request's: a GET's request stream closes as soon as its (empty) body is read.
  const closed = new Promise<void>((resolve) =>
    response.once('close', () => {
      clearInterval(keepAlive);
      resolve();
    }),
  );
  return {
    send: (event, data, id) => {
      response.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    closed,
  };
}
