import { jwtExpiry } from '../../../instance/auth';

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('jwtExpiry', () => {
  test('reads exp from an unverified JWT', () => {
    // GIVEN a signed-looking token WHEN its expiry is read THEN it is the exp claim, in epoch seconds.
    expect(jwtExpiry(`${part({ alg: 'RS256', kid: 'k' })}.${part({ exp: 1_900_000_000, sub: 'x' })}.c2ln`)).toBe(
      1_900_000_000,
    );
  });

  test('is undefined for a token without a numeric exp, or for anything that is not a JWT', () => {
    expect(jwtExpiry(`${part({ alg: 'RS256' })}.${part({ exp: 'soon' })}.c2ln`)).toBeUndefined();
    expect(jwtExpiry(`${part({ alg: 'RS256' })}.not-json.c2ln`)).toBeUndefined();
    expect(jwtExpiry('id-token-1')).toBeUndefined();
  });
});
