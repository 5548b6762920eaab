/**
 * The up-front checks of a pop against the catalogues and licences its agent's instances publish
 * (lambdas/catalogue/campaignChecks.ts, lambdas/pops/popPlan.ts), the JSON Schema generated from External Links, and
 * a property: ScriptData the dry run accepts is never refused by the instance's Desktop model for a data reason.
 */
import Ajv2020 from 'ajv/dist/2020';
import fc from 'fast-check';
import type { CatalogueCampaign } from '../../../contract/catalogue';
import { checkOnInstance, scriptDataProblems, scriptDataSchema } from '../../../lambdas/catalogue/campaignChecks';
import type { CatalogueEntry } from '../../../lambdas/catalogue/catalogueStore';
import type { AgentConnection } from '../../../lambdas/presence/connectionStore';
import { planFrom } from '../../../lambdas/pops/popPlan';
import { catalogueCampaign } from '../../../instance/catalogue';
import type { CampaignConfig } from '../../../instance/config';
import { Desktop } from '../../../instance/desktop';

const SALES: CatalogueCampaign = {
  Name: 'Sales',
  Active: true,
  Type: 'external',
  AllowRecordCreation: false,
  Workflow: 'Sales Call',
  ExternalLinks: [
    { Name: 'Contact Name', Fills: 'Field', Target: 'ContactName', Type: 'string', Required: true },
    { Name: 'Amount', Fills: 'Field', Target: 'Amount', Type: 'number', Required: false },
    { Name: 'var_Vip', Fills: 'Variable', Target: 'Vip', Type: 'boolean', Required: false },
    { Name: 'Note', Fills: 'Field', Target: 'Note', Required: false },
  ],
};
const pop = (extra: Record<string, unknown> = {}) => ({
  Username: 'agent1',
  Campaign: 'Sales',
  Reference: 'R-1',
  ScriptData: { 'Contact Name': 'Ada' },
  ...extra,
});

describe('the ScriptData JSON Schema generated from External Links', () => {
  const ajv = new Ajv2020({ strict: false });

  test('one property per link with its type, the required ones, var_ keys, nothing else', () => {
    const schema = scriptDataSchema(SALES);
    expect(schema).toMatchObject({
      type: 'object',
      properties: {
        'Contact Name': { type: 'string' },
        Amount: { type: 'number' },
        var_Vip: { type: 'boolean' },
        Note: { type: ['string', 'number', 'boolean'] },
      },
      required: ['Contact Name'],
      additionalProperties: false,
    });
    const validate = ajv.compile(schema);
    expect(validate({ 'Contact Name': 'Ada', Amount: 3, var_Vip: true, Note: 1, var_Other: 'x' })).toBe(true);
    expect(validate({ Amount: 3 })).toBe(false);
    expect(validate({ 'Contact Name': 'Ada', Amount: '3' })).toBe(false);
    expect(validate({ 'Contact Name': 'Ada', Unknown: 'x' })).toBe(false);
  });

  test('an internal campaign takes no ScriptData', () => {
    const validate = ajv.compile(scriptDataSchema({ ...SALES, Type: 'internal', ExternalLinks: [] }));
    expect(validate({})).toBe(true);
    expect(validate({ a: 1 })).toBe(false);
  });

  test('whatever the schema accepts, the check accepts too', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom('Contact Name', 'Amount', 'var_Vip', 'Note', 'var_X', 'Other'),
          fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean()),
        ),
        (data) => {
          if (ajv.validate(scriptDataSchema(SALES), data)) expect(scriptDataProblems(SALES, data)).toEqual([]);
        },
      ),
    );
  });
});

describe('every refusal of one instance, in the Desktop order', () => {
  test('NoLicence before anything else', () => {
    expect(checkOnInstance(pop({ Campaign: 'Nope' }), undefined, false)).toMatchObject({ code: 'NoLicence' });
  });
  test('CampaignNotFound', () => {
    expect(checkOnInstance(pop(), undefined, true)).toMatchObject({ code: 'CampaignNotFound' });
  });
  test('CampaignInactive', () => {
    expect(checkOnInstance(pop(), { ...SALES, Active: false }, true)).toMatchObject({ code: 'CampaignInactive' });
  });
  test('ReferenceRequired: no Reference (or a blank one) where the campaign cannot create records', () => {
    expect(checkOnInstance(pop({ Reference: undefined }), SALES, true)).toMatchObject({ code: 'ReferenceRequired' });
    expect(checkOnInstance(pop({ Reference: ' ' }), SALES, true)).toMatchObject({ code: 'ReferenceRequired' });
    expect(
      checkOnInstance(pop({ Reference: undefined }), { ...SALES, AllowRecordCreation: true }, true),
    ).toBeUndefined();
  });
  test('ScriptDataRejected names each key: unknown link, wrong type, required missing', () => {
    const refusal = checkOnInstance(pop({ ScriptData: { Amount: 'ten', var_vip: 'yes', Other: 1 } }), SALES, undefined);
    expect(refusal).toMatchObject({ code: 'ScriptDataRejected' });
    expect(refusal!.details).toEqual([
      'ScriptData.Amount: must be a number',
      'ScriptData.var_vip: must be a boolean',
      'ScriptData.Other: is not an External Link of campaign "Sales"',
      'ScriptData.Contact Name: is required',
    ]);
  });
  test('ScriptDataRejected: ScriptData to an internal campaign', () => {
    const refusal = checkOnInstance(
      pop({ ScriptData: { a: 1 } }),
      { ...SALES, Type: 'internal', ExternalLinks: [] },
      true,
    );
    expect(refusal?.details).toEqual([
      'ScriptData.a: campaign "Sales" is internal; External Links exist only on external campaigns',
    ]);
  });
  test('links match case-insensitively and unlinked var_ keys fill Variables, as on the Desktop', () => {
    expect(
      checkOnInstance(pop({ ScriptData: { 'contact name': 'Ada', VAR_Anything: 1 } }), SALES, true),
    ).toBeUndefined();
  });
});

describe('the plan over several instances', () => {
  const conn = (id: string, extra: Partial<AgentConnection> = {}): AgentConnection => ({
    connectionId: id,
    instance: id,
    ...extra,
  });
  const entry = (id: string, campaign: CatalogueCampaign, sequence = 1): CatalogueEntry => ({
    connectionId: id,
    instance: id,
    sequence,
    campaign,
  });

  test('AgentNotOnDesktop when no connection holds the agent', () => {
    expect(planFrom(pop(), [], [])).toMatchObject({ kind: 'refused', code: 'AgentNotOnDesktop' });
  });
  test('pushes only to the instances that can open it; one without a catalogue is not checked', () => {
    const plan = planFrom(
      pop(),
      [conn('a', { catalogue: 1 }), conn('b', { catalogue: 1 }), conn('old')],
      [entry('a', SALES), entry('b', { ...SALES, Active: false })],
    );
    expect(plan).toMatchObject({ kind: 'planned', unchecked: 1 });
    expect((plan as { targets: readonly AgentConnection[] }).targets.map((t) => t.connectionId)).toEqual(['a', 'old']);
  });
  test('refused with the most particular refusal when no instance can open it', () => {
    const plan = planFrom(
      pop({ ScriptData: {} }),
      [conn('a', { catalogue: 1, licensed: false }), conn('b', { catalogue: 1 })],
      [entry('b', SALES)],
    );
    expect(plan).toMatchObject({
      kind: 'refused',
      code: 'ScriptDataRejected',
      details: ['ScriptData.Contact Name: is required'],
    });
  });
  test('NoLicence applies to an instance that publishes licences but no catalogue', () => {
    expect(planFrom(pop(), [conn('a', { licensed: false })], [])).toMatchObject({ kind: 'refused', code: 'NoLicence' });
  });
  test("an entry older than the connection's catalogue is a campaign it left out", () => {
    expect(planFrom(pop(), [conn('a', { catalogue: 2 })], [entry('a', SALES, 1)])).toMatchObject({
      code: 'CampaignNotFound',
    });
    expect(planFrom(pop(), [conn('a', { catalogue: 2 })], [entry('a', SALES, 3)])).toMatchObject({ kind: 'planned' });
  });
});

describe('property: ScriptData the dry run accepts is never refused by the Desktop for a data reason', () => {
  const linkName = fc.constantFrom('Contact Name', 'Amount', 'var_Reason', 'Case', 'var_Flag');
  const link = fc.record({
    type: fc.option(fc.constantFrom('string', 'number', 'boolean') as fc.Arbitrary<'string' | 'number' | 'boolean'>, {
      nil: undefined,
    }),
    required: fc.boolean(),
  });
  const campaign: fc.Arbitrary<CampaignConfig> = fc
    .record({
      type: fc.constantFrom('external', 'internal') as fc.Arbitrary<'external' | 'internal'>,
      active: fc.boolean(),
      allowRecordCreation: fc.boolean(),
      links: fc.dictionary(linkName, link, { maxKeys: 5 }),
    })
    .map(({ type, active, allowRecordCreation, links }) => ({
      name: 'Sales',
      type,
      active,
      allowRecordCreation,
      workflow: 'Flow',
      externalLinks:
        type === 'internal'
          ? {}
          : Object.fromEntries(
              Object.entries(links).map(([name, l]) => [
                name,
                {
                  ...(name.startsWith('var_') ? { variable: name.slice(4) } : { field: name.replace(' ', '') }),
                  ...(l.type ? { type: l.type } : {}),
                  required: l.required,
                },
              ]),
            ),
    })) as fc.Arbitrary<CampaignConfig>;
  const scriptData = fc.dictionary(
    fc.oneof(linkName, fc.constantFrom('contact name', 'VAR_reason', 'Other', 'var_New')),
    fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean()),
    { maxKeys: 6 },
  );

  test('the Desktop opens it (or finds it Unchanged), fills every key, and fails it for no data reason', () => {
    fc.assert(
      fc.property(
        campaign,
        scriptData,
        fc.option(fc.constantFrom('R-1', ''), { nil: undefined }),
        (config, data, reference) => {
          const request = {
            Username: 'agent1',
            Campaign: 'Sales',
            ...(reference !== undefined ? { Reference: reference } : {}),
            ScriptData: data,
          };
          const plan = planFrom(
            request,
            [{ connectionId: 'c', instance: 'i', catalogue: 1, licensed: true }],
            [{ connectionId: 'c', instance: 'i', sequence: 1, campaign: catalogueCampaign(config) }],
          );
          if (plan.kind === 'refused') return;
          const desktop = new Desktop({ pluginEnabled: true, licence: { type: 'PerSystem' }, campaigns: [config] });
          desktop.login('agent1');
          const outcome = desktop.receivePop({ PopId: 'p', ...request });
          expect(outcome.status).not.toBe('Failed');
          if (outcome.status === 'Opened') expect(outcome.unlinkedKeys).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
  });
});
