import { next, type PopState } from '../../../lambdas/pops/status';

const sentTo = (...connections: string[]): PopState => ({ Status: 'Sent', sentTo: connections, failedBy: [] });

describe('next(pop, ack): the ack state machine (lambdas/pops/status.ts)', () => {
  it('moves a pop forward: Sent -> Delivered -> Opened, and clears any Reason', () => {
    expect(next(sentTo('a'), { connectionId: 'a', status: 'Delivered' })).toEqual({ kind: 'move', change: { status: 'Delivered' } });
    expect(next({ ...sentTo('a'), Status: 'Delivered' }, { connectionId: 'a', status: 'Opened' })).toEqual({ kind: 'move', change: { status: 'Opened' } });
    expect(next({ ...sentTo('a'), Status: 'Delivered' }, { connectionId: 'a', status: 'Unchanged' })).toEqual({ kind: 'move', change: { status: 'Unchanged' } });
  });

  it('never moves back, and a repeat changes nothing', () => {
    expect(next({ ...sentTo('a'), Status: 'Opened' }, { connectionId: 'a', status: 'Delivered' })).toEqual({ kind: 'alreadyFinal', status: 'Opened' });
    expect(next({ ...sentTo('a'), Status: 'Delivered' }, { connectionId: 'a', status: 'Delivered' })).toEqual({ kind: 'unchanged' });
    expect(next({ ...sentTo('a'), Status: 'Failed' }, { connectionId: 'a', status: 'Opened' })).toEqual({ kind: 'alreadyFinal', status: 'Failed' });
  });

  it('accepts an ack only from a connection the pop was sent to', () => {
    expect(next(sentTo('a'), { connectionId: 'b', status: 'Opened' })).toEqual({ kind: 'notSentToConnection' });
  });

  it('fails a pop sent to one instance at once, with its Reason', () => {
    expect(next(sentTo('a'), { connectionId: 'a', status: 'Failed', reason: 'NoLicence' })).toEqual({
      kind: 'move',
      change: { status: 'Failed', reason: 'NoLicence', failedBy: ['a'] },
    });
  });

  it('fails a pop sent to several instances only when every one failed it, with the last Reason', () => {
    const first = next(sentTo('a', 'b'), { connectionId: 'a', status: 'Failed', reason: 'NoLicence' });
    expect(first).toEqual({ kind: 'noteFailure', change: { failedBy: ['a'] } });
    const noted: PopState = { ...sentTo('a', 'b'), failedBy: ['a'] };
    expect(next(noted, { connectionId: 'a', status: 'Failed', reason: 'NoLicence' })).toEqual({ kind: 'unchanged' });
    expect(next(noted, { connectionId: 'b', status: 'Failed', reason: 'UnknownCampaign' })).toEqual({
      kind: 'move',
      change: { status: 'Failed', reason: 'UnknownCampaign', failedBy: ['a', 'b'] },
    });
    // One instance's failure does not hide another's Opened.
    expect(next(noted, { connectionId: 'b', status: 'Opened' })).toEqual({ kind: 'move', change: { status: 'Opened' } });
  });
});
