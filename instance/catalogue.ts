/**
 * What the instance publishes about itself (contract/webSocket.ts): its campaign catalogue, in parts of one
 * WebSocket frame each (API Gateway closes a connection on a frame over 32 KB), and its agents' licence states. The
 * API refuses at once the pops these say cannot succeed; the Desktop still decides each pop it receives (desktop.ts).
 */
import type { CatalogueCampaign, CatalogueLink } from '../contract/catalogue';
import { MAX_CATALOGUE_PARTS } from '../contract/limits';
import type { AgentLicence, CatalogueMessage, LicencesMessage } from '../contract/webSocket';
import type { CampaignConfig, LicenceConfig } from './config';

/** One WebSocket frame, less room for the part's own fields. */
const FRAME_BYTES = 32 * 1024 - 256;

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

export function catalogueCampaign(campaign: CampaignConfig): CatalogueCampaign {
  const links: CatalogueLink[] = Object.entries(campaign.externalLinks ?? {}).map(([name, link]) => ({
    Name: name,
    Fills: 'field' in link ? 'Field' : 'Variable',
    Target: 'field' in link ? link.field : link.variable,
    ...(link.type !== undefined ? { Type: link.type } : {}),
    Required: link.required ?? false,
  }));
  return {
    Name: campaign.name,
    Active: campaign.active ?? true,
    Type: campaign.type,
    AllowRecordCreation: campaign.allowRecordCreation ?? false,
    Workflow: campaign.workflow,
    ExternalLinks: links,
  };
}

/** Whole campaigns packed into parts of at most one frame; an empty catalogue is one empty part. */
export function catalogueMessages(campaigns: readonly CampaignConfig[], sequence: number): CatalogueMessage[] {
  const groups: CatalogueCampaign[][] = [[]];
  let size = 0;
  for (const campaign of campaigns.map(catalogueCampaign)) {
    const length = bytes(campaign) + 1;
    if (length > FRAME_BYTES)
      throw new Error(`campaign "${campaign.Name}" does not fit one WebSocket frame in the catalogue`);
    if (size + length > FRAME_BYTES) {
      groups.push([]);
      size = 0;
    }
    groups[groups.length - 1]!.push(campaign);
    size += length;
  }
  if (groups.length > MAX_CATALOGUE_PARTS)
    throw new Error(`the catalogue needs ${groups.length} parts; at most ${MAX_CATALOGUE_PARTS}`);
  return groups.map((group, index) => ({
    Action: 'Catalogue',
    Sequence: sequence,
    Part: index + 1,
    Parts: groups.length,
    Campaigns: group,
  }));
}

/** Licence states of these agents, in as many messages as one frame each holds. */
export function licenceMessages(
  licence: LicenceConfig,
  seatsLeft: number | undefined,
  agents: readonly AgentLicence[],
  sequence: number,
): LicencesMessage[] {
  const base = {
    Action: 'Licences' as const,
    Sequence: sequence,
    Licence: licence.type,
    ...(seatsLeft !== undefined ? { SeatsLeft: seatsLeft } : {}),
  };
  const messages: LicencesMessage[] = [];
  let current: AgentLicence[] = [];
  let size = bytes(base);
  for (const agent of agents) {
    const length = bytes(agent) + 1;
    if (current.length > 0 && size + length > FRAME_BYTES) {
      messages.push({ ...base, Agents: current });
      current = [];
      size = bytes(base);
    }
    current.push(agent);
    size += length;
  }
  messages.push({ ...base, Agents: current });
  return messages;
}
