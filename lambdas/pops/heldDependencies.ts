/**
 * What delivering a pop needs: the pop's own stores, catalogue reads and pusher. The routes where an agent appears
 * (Desktop, Login: lambdas/presence/) deliver held pops with exactly this (heldPops.ts delivers as POST /pop does);
 * POST /pop adds its caller's revocation check (popHandler.ts popDependencies). Kept apart from popHandler.ts so the
 * Desktop and Login bundles carry none of POST /pop's handler code.
 */
import { randomUUID } from 'node:crypto';
import type { AwsClients } from '../clients/awsClients';
import { CatalogueCache } from '../catalogue/catalogueCache';
import { CatalogueReader } from '../catalogue/catalogueReader';
import { ConnectionStore } from '../presence/connectionStore';
import type { MetricsSink } from '../shared/metrics';
import type { Settings } from '../shared/settings';
import type { HeldDeliveryDeps } from './heldPops';
import { HeldPopStore } from './heldPopStore';
import { PopStore } from './popStore';
import { connectionPusher } from './pusher';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Everything but the invocation's logger. */
export type HeldDelivery = Omit<HeldDeliveryDeps, 'log'>;

export const heldDeliveryDependencies = (
  settings: Pick<Settings, 'tableName' | 'claimWindowSeconds' | 'popRetentionDays'>,
  clients: Pick<AwsClients, 'db' | 'management'>,
  metrics: MetricsSink,
): HeldDelivery => ({
  connections: new ConnectionStore(clients.db, settings.tableName),
  catalogues: new CatalogueReader(clients.db, settings.tableName),
  // One per execution environment, as the handler is built once per environment.
  catalogueCache: new CatalogueCache(),
  pops: new PopStore(clients.db, settings.tableName),
  push: connectionPusher(clients.management),
  claimWindowMs: settings.claimWindowSeconds * 1000,
  retentionMs: settings.popRetentionDays * DAY_MS,
  newPopId: randomUUID,
  // Read at each call, not captured: tests move the clock with jest.spyOn(Date, 'now').
  now: () => Date.now(),
  metrics,
  held: new HeldPopStore(clients.db, settings.tableName),
});
