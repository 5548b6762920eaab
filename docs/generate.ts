/**
 * `npm run docs`: writes docs/openapi.json and docs/asyncapi.json from the contract. test/unit/docs/documents.test.ts
 * fails when a committed file differs from what this writes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAsyncApiDocument } from './asyncApiDocument';
import { documentText, type JsonObject } from './jsonSchema';
import { buildOpenApiDocument } from './openApiDocument';

export const DOCUMENTS: Readonly<Record<string, () => JsonObject>> = {
  'openapi.json': buildOpenApiDocument,
  'asyncapi.json': buildAsyncApiDocument,
};

if (require.main === module) {
  for (const [file, build] of Object.entries(DOCUMENTS)) {
    writeFileSync(join(__dirname, file), documentText(build()));
    console.log(`Wrote docs/${file}`);
  }
}
