/**
 * Ack: an instance reports what became of a pop (contract/webSocket.ts AckMessage). Only a pop of the connection's
 * own tenant, sent to this instance (this connection, or an earlier one of the same instance user and instance name),
 * can be acknowledged; acknowledge.ts and status.ts decide what changes.
 */
import AckMessageValidator from '../../contract/generated/AckMessage';
import type { AckMessage } from '../../contract/webSocket';
import {
  errorReply,
  invalidMessage,
  parseMessage,
  reply,
  webSocketHandler,
  type WebSocketHandler,
} from '../edge/webSocket';
import { METRIC } from '../shared/metricNames';
import type { MetricsSink } from '../shared/metrics';
import { acknowledge } from './acknowledge';
import { instanceKey } from './status';
import { PopStore } from './popStore';
import type { AwsClients } from '../clients/awsClients';
import type { Settings } from '../shared/settings';

export interface AckDependencies {
  readonly pops: PopStore;
  readonly metrics: MetricsSink;
}

export function makeAckHandler({ pops, metrics }: AckDependencies): WebSocketHandler {
  return webSocketHandler(async ({ event, connection, log }) => {
    const parsed = parseMessage<AckMessage>('Ack', AckMessageValidator, event.body);
    if (parsed.kind === 'invalid') return invalidMessage(parsed, log);
    const ack = parsed.value;
    if (ack.Status === 'Failed' && ack.Reason === undefined) {
      return invalidMessage({ message: 'An Ack with Status Failed needs a Reason.' }, log);
    }
    log.appendKeys({ popId: ack.PopId });
    const outcome = await acknowledge(pops, {
      tenant: connection.tenant,
      popId: ack.PopId,
      connectionId: connection.connectionId,
      instance: instanceKey(connection),
      status: ack.Status,
      ...(ack.Reason !== undefined ? { reason: ack.Reason } : {}),
    });
    switch (outcome.kind) {
      case 'updated': {
        const { pop } = outcome;
        metrics.count({ [METRIC.acks]: 1 }, { Status: pop.Status });
        if (pop.Status === 'Failed')
          log.warn('Pop failed at the instance', { reason: pop.Reason, agent: pop.Username, campaign: pop.Campaign });
        else log.info('Pop acknowledged', { status: pop.Status });
        return reply();
      }
      case 'failureNoted':
        log.warn('Pop failed at one of its instances; waiting for the others', {
          reason: ack.Reason,
          agent: outcome.pop.Username,
          campaign: outcome.pop.Campaign,
        });
        return reply();
      case 'unchanged':
        return reply();
      case 'notFound':
      case 'notSentToConnection':
        log.warn('Ack refused', { reason: outcome.kind });
        return errorReply('PopNotFound', 'No pop with this PopId was sent to this instance.');
      case 'alreadyFinal':
        // The pop was recalled, but the instance opened it before the Recall arrived: it stays Recalled (status.ts).
        if (outcome.status === 'Recalled' && ack.Status === 'Opened') {
          log.warn('Pop opened after it was recalled; it stays Recalled', { status: ack.Status });
          return reply();
        }
        // Normal when the agent is on several Desktops: another instance answered first. Nothing changes.
        log.info('Ack after the pop moved on; nothing changed', { status: ack.Status, current: outcome.status });
        return reply();
      case 'notRecalled':
        log.warn('Recalled ack for a pop that was not recalled; nothing changed', { current: outcome.status });
        return reply();
    }
  });
}

export const ackDependencies = (
  settings: Pick<Settings, 'tableName'>,
  clients: Pick<AwsClients, 'db'>,
  metrics: MetricsSink,
): AckDependencies => ({
  pops: new PopStore(clients.db, settings.tableName),
  metrics,
});
