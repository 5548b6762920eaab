/**
 * Catalogue and Licences: what an instance can open and which of its agents hold a licence (contract/webSocket.ts).
 * POST /pop reads both to refuse at once what cannot succeed (lambdas/pops/popPlan.ts).
 */
import CatalogueMessageValidator from '../../contract/generated/CatalogueMessage';
import LicencesMessageValidator from '../../contract/generated/LicencesMessage';
import type { CatalogueMessage, LicencesMessage } from '../../contract/webSocket';
import { MAX_CATALOGUE_CAMPAIGNS } from '../../contract/limits';
import {
  errorReply,
  invalidMessage,
  parseMessage,
  reply,
  webSocketHandler,
  type WebSocketHandler,
} from '../edge/webSocket';
import type { AwsClients } from '../clients/awsClients';
import type { Settings } from '../shared/settings';
import { ConnectionStore, type ConnectionItem } from '../presence/connectionStore';
import { CatalogueStore } from './catalogueStore';

export interface CatalogueDependencies {
  readonly catalogues: CatalogueStore;
  readonly connections: Pick<ConnectionStore, 'agentsOf'>;
}

/** Campaign names are unique in one publication; a repeat would make two entries race for one item. */
function duplicateNames(message: CatalogueMessage): string[] {
  const seen = new Set<string>();
  return message.Campaigns.flatMap((campaign, index) => {
    if (seen.has(campaign.Name)) return [`Campaigns[${index}].Name: "${campaign.Name}" is listed twice`];
    seen.add(campaign.Name);
    return [];
  });
}

/**
 * The last part of a publication makes it the connection's catalogue: the agents' presence learns its Sequence (the
 * pop's checks apply from then on) and entries of campaigns it left out are removed.
 */
async function completePublication(
  deps: CatalogueDependencies,
  connection: ConnectionItem,
  sequence: number,
): Promise<boolean> {
  if (!(await deps.catalogues.completeCatalogue(connection.connectionId, sequence))) return false;
  const agents = await deps.connections.agentsOf(connection.connectionId);
  await deps.catalogues.markPresence(
    connection,
    agents.map((agent) => ({ agent, values: { Catalogue: sequence } })),
  );
  await deps.catalogues.removeOlderEntries(connection, sequence);
  return true;
}

export function makeCatalogueHandler(deps: CatalogueDependencies): WebSocketHandler {
  return webSocketHandler(async ({ event, connection, log }) => {
    const message = parseMessage<CatalogueMessage>('Catalogue', CatalogueMessageValidator, event.body);
    if (message.kind === 'invalid') return invalidMessage(message, log);
    const { Sequence, Part, Parts, Campaigns } = message.value;
    const duplicates = duplicateNames(message.value);
    if (Part > Parts) duplicates.push(`Part: must be at most Parts (${Parts})`);
    if (duplicates.length > 0)
      return invalidMessage(
        { message: `Invalid Catalogue message: ${duplicates.join('; ')}`, details: duplicates },
        log,
      );
    // The cap holds per publication, over all its parts (nothing of a part past it is written).
    if (
      (await deps.catalogues.reserveCampaigns(connection.connectionId, Sequence, Part, Campaigns.length)) === 'over'
    ) {
      log.warn('Catalogue part refused: the publication passes the campaign cap', { sequence: Sequence, part: Part });
      return errorReply(
        'InvalidMessage',
        `Catalogue ${Sequence} holds more campaigns over its parts than the ${MAX_CATALOGUE_CAMPAIGNS.toLocaleString('en')} allowed (at most ${MAX_CATALOGUE_CAMPAIGNS.toLocaleString('en')} campaigns per publication); part ${Part} was refused and the publication will not be applied.`,
      );
    }
    await deps.catalogues.putCampaigns(connection, Sequence, Campaigns);
    const part = await deps.catalogues.recordPart(connection.connectionId, Sequence, Part, Parts);
    if (part === 'stale') {
      log.warn('Catalogue part of an older publication ignored', { sequence: Sequence, part: Part });
      return errorReply(
        'InvalidMessage',
        `Catalogue ${Sequence} is older than the one this connection published; it was ignored.`,
      );
    }
    const completed = part === 'complete' && (await completePublication(deps, connection, Sequence));
    log.info('Catalogue part received', {
      sequence: Sequence,
      part: Part,
      parts: Parts,
      campaigns: Campaigns.length,
      completed,
    });
    return reply();
  });
}

export function makeLicencesHandler(deps: CatalogueDependencies): WebSocketHandler {
  return webSocketHandler(async ({ event, connection, log }) => {
    const message = parseMessage<LicencesMessage>('Licences', LicencesMessageValidator, event.body);
    if (message.kind === 'invalid') return invalidMessage(message, log);
    const { Sequence, Licence, SeatsLeft, Agents } = message.value;
    // The presence a Licences message updates also learns the catalogue's Sequence: presence written after the
    // catalogue was completed (a Login, a new Desktop list) gets it this way.
    const catalogue = await deps.catalogues.catalogueOf(connection.connectionId);
    const extra = {
      ...(catalogue === undefined ? {} : { Catalogue: catalogue }),
      ...(SeatsLeft === undefined ? {} : { SeatsLeft }),
    };
    await deps.catalogues.markPresence(
      connection,
      Agents.map(({ Username, Licensed }) => ({
        agent: Username,
        values: { Licensed, LicenceType: Licence, ...extra },
      })),
      Sequence,
    );
    log.info('Licences received', {
      licence: Licence,
      agents: Agents.length,
      unlicensed: Agents.filter((a) => !a.Licensed).length,
    });
    return reply();
  });
}

export const catalogueDependencies = (
  settings: Pick<Settings, 'tableName'>,
  clients: Pick<AwsClients, 'db'>,
): CatalogueDependencies => ({
  catalogues: new CatalogueStore(clients.db, settings.tableName),
  connections: new ConnectionStore(clients.db, settings.tableName),
});
