/**
 * GET /campaigns and GET /campaigns/{Name}: the tenant's campaigns as its connected Scripting instances publish them
 *, each instance's definition with the JSON Schema of its ScriptData (campaignChecks.ts) and how many
 * connected agents can receive a pop of it now, a page at a time (campaignsCursor.ts). Tenant-isolated: only the caller's tenant's catalogue partition is read.
 */
import type { CampaignOnInstance, CampaignSummary } from '../../contract/catalogue';
import { MAX_CAMPAIGN_LENGTH } from '../../contract/limits';
import { apiCallerOf } from '../auth/callerIdentity';
import { restHandler, type RestHandler } from '../edge/restHandler';
import { isRefused, refusals, refuse } from '../shared/outcome';
import type { AwsClients } from '../clients/awsClients';
import type { Settings } from '../shared/settings';
import { connectionProber, type ProbeConnection } from '../pops/pusher';
import { scriptDataSchema } from './campaignChecks';
import { campaignsPageRequest, encodeCursor } from './campaignsCursor';
import { CatalogueStore, type CatalogueEntry, type ConnectionView } from './catalogueStore';

export interface CampaignsDependencies {
  readonly catalogues: Pick<CatalogueStore, 'entriesPage' | 'entriesFor' | 'connectionView'>;
  /** Leaves out a connection a pop's push would find gone (pusher.ts connectionProber), as POST /pop/validate does. */
  readonly probe?: ProbeConnection;
}

interface Published {
  readonly entry: CatalogueEntry;
  /** Agents of the connection who can receive a pop of this campaign now. */
  readonly agents: readonly string[];
}

async function liveView(deps: CampaignsDependencies, id: string): Promise<ConnectionView | undefined> {
  const [view, answer] = await Promise.all([deps.catalogues.connectionView(id), deps.probe?.(id)]);
  return answer === 'gone' ? undefined : view;
}

/** Entries of live connections whose complete catalogue holds them, with the agents who can receive each. */
async function published(deps: CampaignsDependencies, entries: readonly CatalogueEntry[]): Promise<Published[]> {
  const ids = [...new Set(entries.map((entry) => entry.connectionId))];
  const views = new Map<string, ConnectionView | undefined>(
    await Promise.all(ids.map(async (id) => [id, await liveView(deps, id)] as const)),
  );
  return entries.flatMap((entry) => {
    const view = views.get(entry.connectionId);
    if (view?.catalogue === undefined || entry.sequence < view.catalogue) return [];
    const agents = entry.campaign.Active ? view.agents.filter((a) => a.licensed !== false).map((a) => a.agent) : [];
    return [{ entry, agents }];
  });
}

function onInstance({ entry, agents }: Published): CampaignOnInstance {
  const { Active, Type, AllowRecordCreation, Workflow, ExternalLinks } = entry.campaign;
  return {
    Instance: entry.instance,
    Active,
    Type,
    AllowRecordCreation,
    Workflow,
    ExternalLinks,
    ScriptDataSchema: scriptDataSchema(entry.campaign),
    Agents: agents.length,
  };
}

/** One summary per campaign name; an instance connected twice (while it renews its connection) is listed once. */
export function summaries(items: readonly Published[]): CampaignSummary[] {
  const byName = new Map<string, Map<string, Published>>();
  for (const item of items) {
    const instances = byName.get(item.entry.campaign.Name) ?? new Map<string, Published>();
    const known = instances.get(item.entry.instance);
    if (!known || known.entry.sequence < item.entry.sequence) instances.set(item.entry.instance, item);
    byName.set(item.entry.campaign.Name, instances);
  }
  return [...byName.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([Name, instances]) => {
      const all = [...instances.values()].sort((a, b) => (a.entry.instance < b.entry.instance ? -1 : 1));
      return { Name, Agents: new Set(all.flatMap((item) => item.agents)).size, Instances: all.map(onInstance) };
    });
}

const notFound = (name: string) =>
  refuse('CampaignNotFound', `No connected Scripting instance of your tenant publishes campaign "${name}".`);

function campaignName(raw: string | undefined): string | undefined {
  try {
    const name = decodeURIComponent(raw ?? '');
    return name.length > 0 && name.length <= MAX_CAMPAIGN_LENGTH && !/[\ud800-\udfff]/u.test(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

export function makeCampaignsHandler(deps: CampaignsDependencies): RestHandler {
  return restHandler(async ({ event, log }) => {
    const caller = apiCallerOf(event);
    if (isRefused(caller)) return caller;
    log.appendKeys({ tenant: caller.tenant });
    const request = campaignsPageRequest(caller.tenant, event.queryStringParameters);
    if (Array.isArray(request)) return refusals.invalidRequest(request);
    const page = await deps.catalogues.entriesPage(caller.tenant, request.after, request.limit);
    const campaigns = summaries(await published(deps, page.entries));
    const next = page.lastKey === undefined ? {} : { Next: encodeCursor(caller.tenant, page.lastKey) };
    return { kind: 'success', status: 200, result: { Campaigns: campaigns, ...next } };
  });
}

export function makeCampaignHandler(deps: CampaignsDependencies): RestHandler {
  return restHandler(async ({ event, log }) => {
    const caller = apiCallerOf(event);
    if (isRefused(caller)) return caller;
    log.appendKeys({ tenant: caller.tenant });
    const raw = event.pathParameters?.Name;
    const name = campaignName(raw);
    if (name === undefined) return notFound(raw ?? '');
    const [campaign] = summaries(await published(deps, await deps.catalogues.entriesFor(caller.tenant, name)));
    return campaign ? { kind: 'success', status: 200, result: campaign } : notFound(name);
  });
}

export const campaignsDependencies = (
  settings: Pick<Settings, 'tableName'>,
  clients: Pick<AwsClients, 'db'> & Partial<Pick<AwsClients, 'management'>>,
): CampaignsDependencies => ({
  catalogues: new CatalogueStore(clients.db, settings.tableName),
  ...(clients.management ? { probe: connectionProber(clients.management) } : {}),
});
