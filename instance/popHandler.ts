/**
 * Runs the Desktop model on a pop, logs what it did (one line per event; every failure at Warn with PopId, agent,
 * campaign and reason) and turns the outcome into the acknowledgement the connector sends.
 */
import type { AckDecision } from './connector';
import type { Desktop, DesktopPop } from './desktop';
import type { Logger } from './log';

export function createPopHandler(desktop: Desktop, log: Logger): (pop: DesktopPop) => AckDecision {
  return (pop) => {
    const outcome = desktop.receivePop(pop);
    const who = { PopId: pop.PopId, agent: pop.Username, campaign: pop.Campaign };
    switch (outcome.status) {
      case 'Failed':
        log.warn('pop failed', { ...who, reference: pop.Reference, reason: outcome.reason, detail: outcome.message });
        return { status: 'Failed', reason: outcome.reason };
      case 'Unchanged':
        log.info('pop unchanged: same record already open', { ...who, reference: outcome.record.reference });
        return { status: 'Unchanged' };
      case 'Opened': {
        const { record, suspended } = outcome;
        if (suspended) {
          log.info('suspended to Activities', {
            agent: pop.Username,
            campaign: suspended.campaign,
            reference: suspended.reference,
            activities: desktop.agent(pop.Username)?.activities.length,
          });
        }
        log.info(outcome.resumed ? 'pop opened (resumed from Activities)' : 'pop opened', {
          ...who,
          reference: record.reference,
          created: record.created || undefined,
          workflow: record.workflow,
          fields: record.fields,
          variables: record.variables,
        });
        if (outcome.unlinkedKeys.length > 0) {
          log.info('ScriptData keys without an External Link were ignored', {
            PopId: pop.PopId,
            keys: outcome.unlinkedKeys,
          });
        }
        return { status: 'Opened' };
      }
    }
  };
}
