/**
 * The generated documents pass the validators a caller's tools use: @apidevtools/swagger-parser and @redocly/cli lint
 * for docs/openapi.json, @asyncapi/parser for docs/asyncapi.json. All run offline.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Parser } from '@asyncapi/parser';

const ROOT = join(__dirname, '../../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** Spectral's severities as @asyncapi/parser reports them. */
const ERROR_SEVERITY = 0;

interface RedoclyReport {
  totals: { errors: number; warnings: number };
  problems: { ruleId: string; severity: string; message: string }[];
}

function redoclyLint(file: string): RedoclyReport {
  const cli = join(ROOT, 'node_modules/@redocly/cli/bin/cli.js');
  const run = spawnSync(process.execPath, [cli, 'lint', file, '--config', 'docs/redocly.yaml', '--format=json'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    // No telemetry, no update check: CI reaches no network but the npm registry.
    env: {
      ...process.env,
      REDOCLY_TELEMETRY: 'off',
      REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
      NO_UPDATE_NOTIFIER: '1',
      CI: 'true',
    },
  });
  const json = run.stdout.slice(run.stdout.indexOf('{'));
  if (!json) throw new Error(`redocly printed no report (exit ${run.status}): ${run.stderr}`);
  return JSON.parse(json) as RedoclyReport;
}

describe('docs/openapi.json', () => {
  it('is valid OpenAPI 3.1 for @apidevtools/swagger-parser', async () => {
    const api = await SwaggerParser.validate(JSON.parse(read('docs/openapi.json')));
    expect(api).toMatchObject({ openapi: '3.1.0' });
  });

  it('passes @redocly/cli lint (recommended rules, docs/redocly.yaml) with no error and no warning', () => {
    const report = redoclyLint('docs/openapi.json');
    expect(report.problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });
});

describe('docs/asyncapi.json', () => {
  it('is valid AsyncAPI 3 for @asyncapi/parser, with no error-level diagnostic', async () => {
    const { document, diagnostics } = await new Parser().parse(read('docs/asyncapi.json'));
    const errors = diagnostics.filter((d) => d.severity === ERROR_SEVERITY);
    expect(errors.map((d) => `${d.code} ${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    // 7 instance messages, 4 API messages (Pop, Pong, Error, Recall), the webhook delivery
    expect(document?.allMessages().length).toBe(12);
  });
});
