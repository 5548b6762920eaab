import { parseBasicCredentials } from '../../../lambdas/domain/basicCredentials';
import { ApiError } from '../../../lambdas/shared/apiError';

const basic = (text: string) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`;

function refusal(header: string | undefined): ApiError {
  try {
    parseBasicCredentials(header);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('parseBasicCredentials', () => {
  it('splits on the first colon so passwords may contain colons', () => {
    expect(parseBasicCredentials(basic('api-user:pa:ss:word'))).toEqual({ username: 'api-user', password: 'pa:ss:word' });
  });

  it('decodes non-ASCII usernames and passwords as UTF-8', () => {
    expect(parseBasicCredentials(basic('jürgen:pässwörd€'))).toEqual({ username: 'jürgen', password: 'pässwörd€' });
  });

  it('accepts the scheme in any case', () => {
    expect(parseBasicCredentials(`bAsIc ${Buffer.from('a:b').toString('base64')}`).username).toBe('a');
  });

  it('answers a missing header with 401 MissingCredentials and a Basic challenge', () => {
    const error = refusal(undefined);
    expect([error.statusCode, error.code]).toEqual([401, 'MissingCredentials']);
    expect(error.headers['WWW-Authenticate']).toMatch(/^Basic realm=/);
  });

  it.each([
    ['another scheme', 'Bearer abc'],
    ['no credentials after the scheme', 'Basic '],
    ['text that is not base64', 'Basic !!!notbase64'],
    ['base64 without a colon', basic('nocolon')],
    ['an empty password', basic('user:')],
    ['an empty username', basic(':password')],
    ['bytes that are not UTF-8', `Basic ${Buffer.from([0x75, 0x3a, 0xff, 0xfe]).toString('base64')}`],
    ['bad padding', 'Basic YWJj'],
  ])('answers %s with 400 InvalidAuthorizationHeader', (_, header) => {
    const error = refusal(header);
    expect([error.statusCode, error.code]).toEqual([400, 'InvalidAuthorizationHeader']);
  });
});
