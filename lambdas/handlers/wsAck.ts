import { documentClient } from '../clients/documentClient';
import { parseInstanceMessage } from '../domain/instanceMessages';
import { countMetric, METRIC } from '../shared/metrics';
import { ENV, requireEnv } from '../shared/settings';
import { errorReply, reply, webSocketHandler } from '../shared/webSocketResponse';
import { PopStore } from '../store/popStore';

const pops = new PopStore(documentClient(), requireEnv(ENV.tableName));

/**
 * Ack: an instance reports what became of a pop. Only a pop of the connection's own tenant, sent to this very
 * connection, can be acknowledged; a pop that failed everywhere it was sent gives its record claim back so the
 * caller may pop the record elsewhere.
 */
export const handler = webSocketHandler(async ({ event, connection, log }) => {
  const ack = parseInstanceMessage('Ack', event.body);
  log.appendKeys({ popId: ack.PopId });
  const outcome = await pops.acknowledge({
    tenant: connection.tenant,
    popId: ack.PopId,
    connectionId: connection.connectionId,
    status: ack.Status,
    ...(ack.Reason !== undefined ? { reason: ack.Reason } : {}),
  });
  switch (outcome.kind) {
    case 'updated': {
      const { pop } = outcome;
      // Metrics (platform, issue 7): acks that moved a pop's status, by that status.
      countMetric(log, METRIC.acks, 1, { Status: pop.Status });
      if (pop.Status === 'Failed') {
        log.warn('Pop failed at the instance', { reason: pop.Reason, agent: pop.Username, campaign: pop.Campaign });
        if (pop.Reference !== undefined) await pops.releaseClaim(connection.tenant, pop.Campaign, pop.Reference, pop.PopId);
      } else {
        log.info('Pop acknowledged', { status: pop.Status });
      }
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
      return errorReply('PopNotFound', 'No pop with this PopId was sent to this connection.');
    case 'alreadyFinal':
      // Normal when the agent is on several Desktops: another instance answered first. Nothing changes.
      log.info('Ack after the pop moved on; nothing changed', { status: ack.Status, current: outcome.status });
      return reply();
  }
});
