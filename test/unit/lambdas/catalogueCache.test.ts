/**
 * A warm pop function checks against the catalogue entries it read before and reads presence alone
 * (lambdas/catalogue/catalogueCache.ts, lambdas/pops/popPlan.ts planPop); it reads the entries again whenever presence
 * shows a catalogue newer than what it kept, and never answers from entries it cannot prove current.
 */
import fc from 'fast-check';
import type { CatalogueCampaign } from '../../../contract/catalogue';
import type { CatalogueEntry } from '../../../lambdas/catalogue/catalogueReader';
import { CatalogueCache } from '../../../lambdas/catalogue/catalogueCache';
import type { AgentConnection } from '../../../lambdas/presence/connectionStore';
import { planPop, type PlanDependencies } from '../../../lambdas/pops/popPlan';

const campaign = (Active: boolean): CatalogueCampaign => ({
  Name: 'Sales',
  Active,
  Type: 'external',
  AllowRecordCreation: true,
  Workflow: 'Sales Call',
  ExternalLinks: [],
});
const pop = { Username: 'agent1', Campaign: 'Sales', Reference: 'R-1' };

/** A table in memory: presence per tenant, entries per tenant; counts the reads. */
function fakeTable() {
  const presence = new Map<string, AgentConnection[]>();
  const entries = new Map<string, CatalogueEntry[]>();
  const reads = { presence: 0, entries: 0 };
  const deps: PlanDependencies = {
    connections: {
      connectionsForAgent: async (tenant) => {
        reads.presence += 1;
        return presence.get(tenant) ?? [];
      },
    },
    catalogues: {
      entriesFor: async (tenant, name) => {
        reads.entries += 1;
        return (entries.get(tenant) ?? []).filter((e) => e.campaign.Name === name);
      },
    },
    catalogueCache: new CatalogueCache(),
  };
  /** One connection of `tenant` publishing catalogue `sequence`, with Sales active or inactive or absent. */
  const publish = (tenant: string, id: string, sequence: number, sales: boolean | 'absent') => {
    presence.set(tenant, [
      ...(presence.get(tenant) ?? []).filter((c) => c.connectionId !== id),
      { connectionId: id, instance: id, catalogue: sequence },
    ]);
    const others = (entries.get(tenant) ?? []).filter((e) => e.connectionId !== id);
    const own = sales === 'absent' ? [] : [{ connectionId: id, instance: id, sequence, campaign: campaign(sales) }];
    entries.set(tenant, [...others, ...own]);
  };
  return { deps, reads, publish };
}

describe('the catalogue entries a warm pop function keeps', () => {
  it('reads the entries once, in parallel with presence, and then presence alone', async () => {
    const { deps, reads, publish } = fakeTable();
    publish('t1', 'c1', 1, true);
    for (let i = 0; i < 5; i += 1) expect(await planPop(deps, 't1', pop)).toMatchObject({ kind: 'planned' });
    expect(reads).toEqual({ presence: 5, entries: 1 });
  });

  it('reads them again when presence shows a newer catalogue, and applies it', async () => {
    const { deps, reads, publish } = fakeTable();
    publish('t1', 'c1', 1, true);
    await planPop(deps, 't1', pop);
    publish('t1', 'c1', 2, false);
    expect(await planPop(deps, 't1', pop)).toMatchObject({ kind: 'refused', code: 'CampaignInactive' });
    expect(reads.entries).toBe(2);
    await planPop(deps, 't1', pop);
    expect(reads.entries).toBe(2);
  });

  it('keeps an absence only from entries read after the presence that showed it', async () => {
    const { deps, reads, publish } = fakeTable();
    publish('t1', 'c1', 1, 'absent');
    // The first read ran beside presence: the absence cannot be trusted yet, so the second pop reads again.
    expect(await planPop(deps, 't1', pop)).toMatchObject({ code: 'CampaignNotFound' });
    expect(await planPop(deps, 't1', pop)).toMatchObject({ code: 'CampaignNotFound' });
    expect(await planPop(deps, 't1', pop)).toMatchObject({ code: 'CampaignNotFound' });
    expect(reads.entries).toBe(2);
    publish('t1', 'c1', 2, true);
    expect(await planPop(deps, 't1', pop)).toMatchObject({ kind: 'planned' });
    expect(reads.entries).toBe(3);
  });

  it('reads for a connection it has not seen (a second instance, a reconnection)', async () => {
    const { deps, reads, publish } = fakeTable();
    publish('t1', 'c1', 1, false);
    expect(await planPop(deps, 't1', pop)).toMatchObject({ code: 'CampaignInactive' });
    publish('t1', 'c2', 1, true);
    expect(await planPop(deps, 't1', pop)).toMatchObject({ kind: 'planned', targets: [{ connectionId: 'c2' }] });
    expect(reads.entries).toBe(2);
  });

  it('keeps each tenant apart', async () => {
    const { deps, publish } = fakeTable();
    publish('t1', 'c1', 1, true);
    publish('t2', 'c1', 1, false);
    expect(await planPop(deps, 't1', pop)).toMatchObject({ kind: 'planned' });
    expect(await planPop(deps, 't2', pop)).toMatchObject({ code: 'CampaignInactive' });
    expect(await planPop(deps, 't1', pop)).toMatchObject({ kind: 'planned' });
  });

  it('property: with the cache, every plan equals the plan of a function that reads the entries every time', async () => {
    const step = fc.record({
      tenant: fc.constantFrom('t1', 't2'),
      connection: fc.constantFrom('c1', 'c2', 'c3'),
      publish: fc.boolean(),
      sales: fc.constantFrom<boolean | 'absent'>(true, false, 'absent'),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps) => {
        const { deps, publish } = fakeTable();
        const uncached: PlanDependencies = { ...deps, catalogueCache: undefined };
        const sequences = new Map<string, number>();
        for (const s of steps) {
          if (s.publish) {
            const key = `${s.tenant}/${s.connection}`;
            sequences.set(key, (sequences.get(key) ?? 0) + 1);
            publish(s.tenant, s.connection, sequences.get(key)!, s.sales);
          }
          expect(await planPop(deps, s.tenant, pop)).toEqual(await planPop(uncached, s.tenant, pop));
        }
      }),
    );
  });
});
