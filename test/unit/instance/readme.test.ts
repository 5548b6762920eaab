/**
 * instance/README.md's Configuration section against the schema it documents (contract/instanceConfig.ts): every key
 * the table names exists in the schema and every key of the schema is in the table, with the same required keys and
 * defaults; the example config is valid.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { InstanceConfigFile } from '../../../contract/instanceConfig';
import { validateConfig } from '../../../instance/config';

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
  default?: unknown;
}

const README = readFileSync(join(__dirname, '../../../instance/README.md'), 'utf8');
const section = README.slice(
  README.indexOf('## Configuration'),
  README.indexOf('\n## ', README.indexOf('## Configuration') + 1),
);
const ROOT = InstanceConfigFile as unknown as Schema;

interface Row {
  readonly keys: string[];
  readonly required: boolean;
  readonly defaultCell: string;
  readonly meaning: string;
}

const code = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1]);

const rows: Row[] = section
  .split('\n')
  .filter((line) => /^\| `/.test(line))
  .map((line) => {
    const [keys, required, defaultCell, meaning] = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    return { keys: code(keys), required: required === 'yes', defaultCell, meaning };
  });

/** `plugin.enabled`, `campaigns[]`, `campaigns[].externalLinks` -> the schema of that key. */
function schemaAt(key: string): Schema | undefined {
  let node: Schema | undefined = ROOT;
  for (const segment of key.split('.')) {
    const name = segment.replace(/\[\]$/, '');
    node = node?.properties?.[name];
    if (segment.endsWith('[]')) node = node?.type === 'array' ? node.items : undefined;
  }
  return node;
}

/** A key's default: its own, or (for an object) the defaults of its members. */
function defaultOf(schema: Schema): unknown {
  if (schema.default !== undefined) return schema.default;
  if (!schema.properties) return undefined;
  const members = Object.entries(schema.properties).filter(([, member]) => member.default !== undefined);
  return members.length > 0 ? Object.fromEntries(members.map(([name, member]) => [name, member.default])) : undefined;
}

describe('instance/README.md configuration', () => {
  test('the table documents exactly the keys of the schema', () => {
    // GIVEN the table's keys WHEN looked up in the schema THEN each one exists, and every top-level key is documented.
    const documented = rows.flatMap((row) => row.keys);
    expect(documented.filter((key) => schemaAt(key) === undefined)).toEqual([]);
    const topLevel = new Set(documented.map((key) => key.split(/[.[]/)[0]));
    expect(Object.keys(ROOT.properties ?? {}).filter((key) => !topLevel.has(key))).toEqual([]);
  });

  test('the campaigns row names every key of a campaign', () => {
    const campaignRow = rows.find((row) => row.keys.includes('campaigns[]'));
    const campaign = schemaAt('campaigns[]');
    const named = new Set(code(campaignRow?.meaning ?? ''));
    expect(Object.keys(campaign?.properties ?? {}).filter((key) => !named.has(key))).toEqual([]);
  });

  test('required keys and defaults are those of the schema', () => {
    for (const row of rows) {
      for (const key of row.keys) {
        const isTopLevel = !/[.[]/.test(key);
        if (isTopLevel) expect([key, row.required]).toEqual([key, (ROOT.required ?? []).includes(key)]);
        // `campaigns[]`: the default of the list itself.
        const schemaDefault = defaultOf(schemaAt(key.replace(/\[\]$/, '')) ?? {});
        if (schemaDefault === undefined) continue;
        const written = code(row.defaultCell)[0];
        const value = typeof schemaDefault === 'string' ? schemaDefault : JSON.stringify(schemaDefault);
        expect([key, written]).toEqual([key, value]);
      }
    }
  });

  test('the example configuration is valid', () => {
    const example = section.match(/```json\n([\s\S]*?)```/)?.[1];
    expect(() => validateConfig(JSON.parse(example ?? ''), 'README example')).not.toThrow();
  });
});
