import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CallLog, operationOf, sumCapacity } from '../../../bench/callLog';

describe('CallLog', () => {
  let dir: string;
  let logFile: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'call-log-'));
    logFile = path.join(dir, 'child.log');
    writeFileSync(logFile, '');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const counting = () => {
    const log = new CallLog(logFile);
    log.counting = true;
    return log;
  };

  it('puts calls made one after the other in waves of their own', () => {
    const log = counting();
    log.start('pop');
    for (const op of ['Query', 'PutItem', 'PostToConnection']) {
      log.begin(op);
      log.end();
    }
    expect(log.invocations[0]!.waves).toEqual([['Query'], ['PutItem'], ['PostToConnection']]);
  });

  it('puts calls in flight together in one wave', () => {
    const log = counting();
    log.start('pop');
    log.begin('Query');
    log.begin('Query');
    log.end();
    log.end();
    log.begin('PutItem');
    log.end();
    expect(log.invocations[0]!.waves).toEqual([['Query', 'Query'], ['PutItem']]);
  });

  it('records nothing while not counting, and attributes calls to the invocation that runs', () => {
    const log = new CallLog(logFile);
    log.start('warmup');
    log.begin('GetItem');
    log.end();
    log.counting = true;
    log.start('wsAck');
    log.begin('UpdateItem');
    log.end();
    expect(log.invocations.map((inv) => [inv.fn, inv.waves])).toEqual([
      ['warmup', []],
      ['wsAck', [['UpdateItem']]],
    ]);
  });

  it('gives each invocation the bytes written to the log until the next one starts', () => {
    const log = counting();
    log.start('pop');
    appendFileSync(logFile, 'x'.repeat(120));
    log.start('wsAck');
    appendFileSync(logFile, 'y'.repeat(30));
    log.start(undefined);
    expect(log.invocations.map((inv) => inv.logBytes)).toEqual([120, 30]);
  });
});

describe('operationOf', () => {
  it('names an AWS JSON call by its target, a push by its path, anything else by method and path', () => {
    expect(operationOf({ headers: { 'x-amz-target': 'DynamoDB_20120810.Query' }, method: 'POST', url: '/' })).toBe(
      'Query',
    );
    expect(operationOf({ headers: {}, method: 'POST', url: '/v1/@connections/abc' })).toBe('PostToConnection');
    expect(operationOf({ headers: {}, method: 'GET', url: '/keys?x=1' })).toBe('GET /keys');
  });
});

describe('sumCapacity', () => {
  it('adds the units of one answer or of a batch answer, and counts none where none was reported', () => {
    expect(sumCapacity({ CapacityUnits: 1.5 })).toBe(1.5);
    expect(sumCapacity([{ CapacityUnits: 1 }, { CapacityUnits: 2 }])).toBe(3);
    expect(sumCapacity(undefined)).toBe(0);
  });
});
