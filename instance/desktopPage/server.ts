/**
 * The agent's Desktop page on the control surface (instance/control.ts): `GET /` the page, `/desktop.css`,
 * `/desktop.js` (desktop.client.ts bundled at start), and `GET /events`, a Server-Sent Events stream that starts with
 * a `snapshot` of the Desktop and then carries every `pop`, `agent` and `instance` event of the feed (feed.ts).
 * The page's buttons call the control surface's own JSON endpoints.
 */
import type { IncomingMessage, ServerResponse } from 'http';
import { openEventStream, pageAssets, servePage } from './assets';
import type { DesktopFeed } from './feed';

export type PageHandler = (request: IncomingMessage, response: ServerResponse, pathname: string) => boolean;

/** Answers the page's requests (true) and leaves every other one to the JSON control surface (false). */
export function desktopPageHandler(feed: DesktopFeed): PageHandler {
  const assets = pageAssets(__dirname, 'desktop');
  return (request, response, pathname) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    if (pathname === '/events') {
      streamEvents(feed, response);
      return true;
    }
    return servePage(assets, 'desktop', pathname, response);
  };
}

function streamEvents(feed: DesktopFeed, response: ServerResponse): void {
  const stream = openEventStream(response);
  stream.send('snapshot', feed.snapshot());
  const unsubscribe = feed.subscribe((event) => stream.send(event.type, event));
  stream.closed.then(unsubscribe);
}
