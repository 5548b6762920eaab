/**
 * README.md's architecture diagram cannot go stale: every REST route (method and resource) of the route table, every
 * WebSocket route key and every function of the function table (lambdas/apiRoutes.ts, lambdas/handlerNeeds.ts) is
 * named in its Mermaid block. A new route or function fails here until it is drawn.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HANDLER_NEEDS, REST_ROUTES, WEBSOCKET_ROUTES } from '../../../lambdas/apiRoutes';

const README = readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
const diagram = /^```mermaid\n([\s\S]*?)^```/m.exec(README)?.[1] ?? '';
/** The diagram's words: names separated by anything but letters, digits, $ and _. */
const words = new Set(diagram.split(/[^\w$]+/));

test('README.md has one Mermaid architecture diagram', () => {
  expect(diagram).toMatch(/^flowchart /);
});

test.each(REST_ROUTES.map((r) => [`${r.method} ${r.resource}`]))('the diagram shows the route %s', (route) => {
  expect(diagram).toContain(route);
});

test.each(WEBSOCKET_ROUTES.map((r) => [r.routeKey]))('the diagram shows the WebSocket route %s', (routeKey) => {
  expect(words.has(routeKey)).toBe(true);
});

test.each(Object.keys(HANDLER_NEEDS).map((name) => [name]))('the diagram shows the function %s', (name) => {
  expect(words.has(name)).toBe(true);
});
