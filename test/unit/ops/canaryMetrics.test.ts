/** The canary's EMF line: success 1 with the latency, and a failed run written as 0 (a point, not missing data). */
import { CANARY_METRIC } from '../../../ops/canary/canary';
import { emfMetrics } from '../../../ops/canary/metrics';

function linesOf(act: () => void): Record<string, unknown>[] {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  const log = jest.spyOn(console, 'log').mockImplementation((line: unknown) => void written.push(String(line)));
  try {
    act();
  } finally {
    spy.mockRestore();
    log.mockRestore();
  }
  return written
    .flatMap((text) => text.split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

test('a passing run: CanarySuccess 1 and CanaryLatency, in the namespace, with no dimension', () => {
  const [line] = linesOf(() => emfMetrics('RemotePop/Test').publish(true, 1234));
  expect(line).toMatchObject({ [CANARY_METRIC.success]: 1, [CANARY_METRIC.latency]: 1234 });
  const directive = (line!._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] })
    .CloudWatchMetrics[0]!;
  expect(directive.Namespace).toBe('RemotePop/Test');
  expect(directive.Dimensions.flat()).toEqual([]);
});

test('a failed run: CanarySuccess 0 is written, no latency', () => {
  const [line] = linesOf(() => emfMetrics('RemotePop/Test').publish(false, undefined));
  expect(line).toMatchObject({ [CANARY_METRIC.success]: 0 });
  expect(line).not.toHaveProperty(CANARY_METRIC.latency);
});
