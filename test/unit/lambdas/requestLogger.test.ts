/**
 * The request logger (lambdas/shared/logger.ts): every line carries its own invocation's request id and keys, even
 * when invocations overlap in one process, and an Error passed with a line is logged under `error` as Powertools does.
 */
import { baseLogger, requestLogger } from '../../../lambdas/shared/logger';

// The unit projects log from Warn up (jest.config.js); these lines are the subject here.
const levelBefore = baseLogger.getLevelName();
beforeAll(() => baseLogger.setLogLevel('INFO'));
afterAll(() => baseLogger.setLogLevel(levelBefore));

/** The JSON lines the loggers write during `body` (Powertools writes INFO to stdout, WARN and ERROR to stderr). */
async function linesOf(body: () => Promise<void>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    written.push(chunk.toString());
    return true;
  };
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation(capture),
  );
  try {
    await body();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('request loggers', () => {
  it('keep the keys of overlapping invocations apart', async () => {
    const lines = await linesOf(async () => {
      const a = requestLogger({ awsRequestId: 'req-a' });
      const b = requestLogger({ awsRequestId: 'req-b' }, { tenant: 'tb' });
      a.appendKeys({ tenant: 'ta' });
      await Promise.all([
        (async () => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          a.info('from a', { popId: 'p-a' });
        })(),
        (async () => {
          b.appendKeys({ popId: 'p-b' });
          b.warn('from b');
        })(),
      ]);
      a.info('a again');
    });
    expect(lines.map((l) => [l.message, l.requestId, l.tenant, l.popId])).toEqual([
      ['from b', 'req-b', 'tb', 'p-b'],
      ['from a', 'req-a', 'ta', 'p-a'],
      ['a again', 'req-a', 'ta', undefined],
    ]);
  });

  it('log an Error passed with a line under `error`, with its name and message', async () => {
    const [line] = await linesOf(async () => {
      requestLogger({ awsRequestId: 'req-e' }).error('A dependency failed', new TypeError('socket hang up'));
    });
    expect(line).toMatchObject({
      level: 'ERROR',
      message: 'A dependency failed',
      requestId: 'req-e',
      error: { name: 'TypeError', message: 'socket hang up' },
    });
  });
});
