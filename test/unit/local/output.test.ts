/** `npm start`'s lines (local/output.ts): one aligned line per event, colour only on a terminal, JSON only on request. */
import { formatEvent, handlerEvent, lineEvent, outputMode } from '../../../local/output';

const AT = new Date('2026-11-30T10:11:12.345Z');

describe('npm start output', () => {
  test('colour on a terminal, plain when piped or NO_COLOR, JSON only with --json', () => {
    expect(outputMode([], { isTTY: true }, {})).toBe('pretty');
    expect(outputMode([], { isTTY: false }, {})).toBe('plain');
    expect(outputMode([], { isTTY: true }, { NO_COLOR: '1' })).toBe('plain');
    expect(outputMode(['--json'], { isTTY: true }, {})).toBe('json');
  });

  test('a handler JSON line becomes one readable line with its own fields', () => {
    const line = JSON.stringify({
      level: 'WARN',
      message: 'Pop refused',
      timestamp: AT.toISOString(),
      service: 'remote-pop',
      sampling_rate: 0,
      reason: 'AgentNotOnDesktop',
      tenant: 'demo',
    });
    const event = handlerEvent(line)!;
    expect(formatEvent(event, 'plain')).toBe(
      '10:11:12.345 handler  WARN  Pop refused reason=AgentNotOnDesktop tenant=demo',
    );
    expect(handlerEvent('{"not":"a log line"}')).toBeUndefined();
    expect(handlerEvent('plain text')).toBeUndefined();
  });

  test('gateway, instance and stack lines line up in the same columns', () => {
    const lines = [
      formatEvent(lineEvent('REST POST /v1/pop -> 202 12ms', 'INFO', AT), 'plain'),
      formatEvent(lineEvent('[instance] 10:11:12.400 INFO  pop opened PopId=p1', 'INFO', AT), 'plain'),
      formatEvent(lineEvent('[stack] Local stack stopped.', 'INFO', AT), 'plain'),
    ];
    expect(lines).toEqual([
      '10:11:12.345 gateway  INFO  REST POST /v1/pop -> 202 12ms',
      '10:11:12.400 instance INFO  pop opened PopId=p1',
      '10:11:12.345 stack    INFO  Local stack stopped.',
    ]);
  });

  test('pretty adds colour codes, plain and json never do', () => {
    const event = lineEvent('[instance] 10:11:12.400 ERROR auth failed', 'INFO', AT);
    expect(formatEvent(event, 'pretty')).toContain('\x1b[31mERROR');
    expect(formatEvent(event, 'plain')).not.toContain('\x1b[');
    expect(JSON.parse(formatEvent(event, 'json'))).toEqual({
      time: '10:11:12.400',
      source: 'instance',
      level: 'ERROR',
      message: 'auth failed',
    });
  });
});
