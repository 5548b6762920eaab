import { parseBasicCredentials } from '../../../lambdas/auth/basicCredentials';
import { refusal } from '../support/refusal';

const basic = (text: string) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`;

describe('parseBasicCredentials', () => {
  it('splits on the first colon so passwords may contain colons', () => {
    expect(parseBasicCredentials(basic('api-user:pa:ss:word'))).toEqual({
      username: 'api-user',
      password: 'pa:ss:word',
    });
  });

  it('decodes non-ASCII usernames and passwords as UTF-8', () => {
    expect(parseBasicCredentials(basic('jürgen:pässwörd€'))).toEqual({ username: 'jürgen', password: 'pässwörd€' });
  });

  it('accepts the scheme in any case', () => {
    expect(parseBasicCredentials(`bAsIc ${Buffer.from('a:b').toString('base64')}`)).toMatchObject({ username: 'a' });
  });

  it('answers a missing header with 401 MissingCredentials and a Basic challenge', async () => {
    const error = await refusal(() => parseBasicCredentials(undefined));
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
    ['base64 of the wrong length', 'Basic YWJ'],
  ])('answers %s with 400 InvalidAuthorizationHeader', async (_, header) => {
    const error = await refusal(() => parseBasicCredentials(header));
    expect([error.statusCode, error.code]).toEqual([400, 'InvalidAuthorizationHeader']);
  });
});
