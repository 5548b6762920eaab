import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApiDocument } from '../../../docs/openApiDocument';
import { REST_ROUTES } from '../../../lambdas/apiRoutes';
import { POP_REQUEST_SCHEMA } from '../../../lambdas/domain/schemas';

describe('docs/openapi.json', () => {
  const committed = JSON.parse(readFileSync(join(__dirname, '../../../docs/openapi.json'), 'utf8'));

  it('is what the code generates (run `npm run docs` after changing a route or schema)', () => {
    expect(committed).toEqual(buildOpenApiDocument());
  });

  it('describes every route of the route table', () => {
    for (const route of REST_ROUTES) {
      expect(committed.paths[route.resource]?.[route.method.toLowerCase()]?.operationId).toBe(route.handler);
    }
  });

  it('uses the pop schema the Lambda validates with', () => {
    expect(committed.components.schemas.PopRequest).toEqual(JSON.parse(JSON.stringify(POP_REQUEST_SCHEMA)));
  });
});
