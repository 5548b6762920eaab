import { instanceKey, next, type PopState } from '../../../lambdas/pops/status';

const sentTo = (...connections: string[]): PopState => ({ Status: 'Sent', sentTo: connections, failedBy: [] });

describe('next(pop, ack): the ack state machine (lambdas/pops/status.ts)', () => {
  it('moves a pop forward: Sent -> Delivered -> Opened, and clears any Reason', () => {
    expect(next(sentTo('a'), { connectionId: 'a', status: 'Delivered' })).toEqual({
      kind: 'move',
      change: { status: 'Delivered' },
    });
    expect(next({ ...sentTo('a'), Status: 'Delivered' }, { connectionId: 'a', status: 'Opened' })).toEqual({
      kind: 'move',
      change: { status: 'Opened' },
    });
    expect(next({ ...sentTo('a'), Status: 'Delivered' }, { connectionId: 'a', status: 'Unchanged' })).toEqual({
      kind: 'move',
      change: { status: 'Unchanged' },
    });
  });

  it('never moves back, and a repeat changes nothing', () => {
    expect(next({ ...sentTo('a'), Status: 'Opened' }, { connectionId: 'a', status: 'Delivered' })).toEqual({
      kind: 'alreadyFinal',
      status: 'Opened',
    });
    expect(next({ ...sentTo('a'), Status: 'Delivered' }, { connectionId: 'a', status: 'Delivered' })).toEqual({
      kind: 'unchanged',
    });
    expect(next({ ...sentTo('a'), Status: 'Failed' }, { connectionId: 'a', status: 'Opened' })).toEqual({
      kind: 'alreadyFinal',
      status: 'Failed',
    });
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
    expect(next(noted, { connectionId: 'b', status: 'Opened' })).toEqual({
      kind: 'move',
      change: { status: 'Opened' },
    });
  });

  describe('an Ack from another connection of the same instance', () => {
    const desk1 = instanceKey({ connectionId: 'a', username: 'acme-scripting', instance: 'desk-1' });
    const desk2 = instanceKey({ connectionId: 'b', username: 'acme-scripting', instance: 'desk-2' });
    const pushedTo = (...instances: string[]): PopState => ({
      Status: 'Sent',
      sentTo: ['a'],
      sentToInstances: instances,
      failedBy: [],
    });

    it('is accepted when user and instance name match: the acks queued across a reconnect count', () => {
      const afterReconnect = {
        connectionId: 'a2',
        instance: instanceKey({ connectionId: 'a2', username: 'acme-scripting', instance: 'desk-1' }),
      };
      expect(next({ ...pushedTo(desk1), Status: 'Delivered' }, { ...afterReconnect, status: 'Opened' })).toEqual({
        kind: 'move',
        change: { status: 'Opened' },
      });
    });

    it('is refused from another instance name, another instance user, or a connection without an instance', () => {
      const other = (username: string, instance: string) => ({
        connectionId: 'x',
        instance: instanceKey({ connectionId: 'x', username, instance }),
      });
      expect(next(pushedTo(desk1), { ...other('acme-scripting', 'desk-2'), status: 'Opened' })).toEqual({
        kind: 'notSentToConnection',
      });
      expect(next(pushedTo(desk1), { ...other('acme-other', 'desk-1'), status: 'Opened' })).toEqual({
        kind: 'notSentToConnection',
      });
      expect(next(pushedTo(desk1), { connectionId: 'a', status: 'Opened' })).toEqual({ kind: 'notSentToConnection' });
    });

    it('counts failures per instance: the same instance failing twice (two connections) does not fail a pop another holds', () => {
      const first = next(pushedTo(desk1, desk2), {
        connectionId: 'a',
        instance: desk1,
        status: 'Failed',
        reason: 'NoLicence',
      });
      expect(first).toEqual({ kind: 'noteFailure', change: { failedBy: [desk1] } });
      const noted: PopState = { ...pushedTo(desk1, desk2), failedBy: [desk1] };
      expect(next(noted, { connectionId: 'a2', instance: desk1, status: 'Failed', reason: 'NoLicence' })).toEqual({
        kind: 'unchanged',
      });
      expect(next(noted, { connectionId: 'b', instance: desk2, status: 'Failed', reason: 'NoLicence' })).toMatchObject({
        kind: 'move',
        change: { status: 'Failed' },
      });
    });

    it('keeps older pops (no instances recorded) to the connection ids they were sent to', () => {
      expect(next(sentTo('a'), { connectionId: 'a2', instance: desk1, status: 'Opened' })).toEqual({
        kind: 'notSentToConnection',
      });
      expect(next(sentTo('a'), { connectionId: 'a', instance: desk1, status: 'Opened' })).toEqual({
        kind: 'move',
        change: { status: 'Opened' },
      });
    });
  });
});
