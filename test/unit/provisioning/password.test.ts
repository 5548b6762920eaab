import {
  COGNITO_DEFAULT_POLICY,
  COGNITO_SYMBOLS,
  GENERATED_LENGTH,
  generatePassword,
  passwordProblems,
} from '../../../provisioning/password';

describe('generatePassword', () => {
  const samples = Array.from({ length: 2000 }, () => generatePassword());

  it('meets Cognito default policy every time, with at least 16 characters', () => {
    for (const password of samples) {
      expect(password.length).toBeGreaterThanOrEqual(16);
      expect(password).toMatch(/[A-Z]/);
      expect(password).toMatch(/[a-z]/);
      expect(password).toMatch(/[0-9]/);
      expect([...password].some((char) => COGNITO_SYMBOLS.includes(char))).toBe(true);
      expect(passwordProblems(password, COGNITO_DEFAULT_POLICY)).toEqual([]);
    }
  });

  it('uses only shell- and URL-friendly characters', () => {
    for (const password of samples) expect(password).toMatch(/^[A-Za-z0-9%+\-.=@^_~,]+$/);
  });

  it('never repeats and spreads characters over the alphabet and positions', () => {
    expect(new Set(samples).size).toBe(samples.length);
    // 2000 x 24 characters over a 72-character alphabet: each character about 667 times. A modulo bias or a
    // non-random position for the guaranteed classes would show as a gross outlier.
    const counts = new Map<string, number>();
    for (const password of samples) for (const char of password) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(72);
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(450);
      expect(count).toBeLessThan(900);
    }
    const firstIsUpper = samples.filter((password) => /^[A-Z]/.test(password)).length / samples.length;
    expect(firstIsUpper).toBeLessThan(0.6);
  });

  it('honours a longer minimum length', () => {
    expect(generatePassword(40)).toHaveLength(40);
    expect(generatePassword(8)).toHaveLength(GENERATED_LENGTH);
  });
});

describe('passwordProblems', () => {
  it('accepts a password meeting the policy', () => {
    expect(passwordProblems('Abcdef1!', COGNITO_DEFAULT_POLICY)).toEqual([]);
  });

  it('names every rule a password breaks', () => {
    expect(passwordProblems('abc', COGNITO_DEFAULT_POLICY)).toEqual([
      'at least 8 characters',
      'an upper-case letter',
      'a digit',
      expect.stringMatching(/^a symbol/),
    ]);
    expect(passwordProblems(' Abcdef1!', COGNITO_DEFAULT_POLICY)).toEqual(['no leading or trailing space']);
  });

  it('checks only what the pool requires', () => {
    expect(passwordProblems('abcdefghijkl', { MinimumLength: 12 })).toEqual([]);
    expect(passwordProblems('abcdefghijk', { MinimumLength: 12, RequireNumbers: true })).toEqual([
      'at least 12 characters',
      'a digit',
    ]);
  });
});
