/**
 * The console's pop form acts as the demo api caller, exactly as the curl pop `npm start` prints: `GET /auth` with
 * Basic credentials once (the IdToken re-used until shortly before it expires), then `POST /pop` with the body as given.
 */
export interface CallerCredentials {
  readonly username: string;
  readonly password: string;
}

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface PopSender {
  send(body: unknown): Promise<ApiAnswer>;
}

/** Seconds until a JWT's `exp`, unverified: only to know when to ask for a new one. */
function secondsLeft(token: string): number {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: number };
    return typeof claims.exp === 'number' ? claims.exp - Date.now() / 1000 : 0;
  } catch {
    return 0;
  }
}

async function readAnswer(response: Response): Promise<ApiAnswer> {
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    return { status: response.status, body: text };
  }
}

export function popSender(restApiUrl: string, caller: CallerCredentials, fetcher: typeof fetch = fetch): PopSender {
  let idToken: string | undefined;
  const basic = `Basic ${Buffer.from(`${caller.username}:${caller.password}`, 'utf8').toString('base64')}`;

  const token = async (): Promise<string | ApiAnswer> => {
    if (idToken && secondsLeft(idToken) > 60) return idToken;
    const answer = await readAnswer(await fetcher(`${restApiUrl}/auth`, { headers: { Authorization: basic } }));
    const result = (answer.body as { Result?: { IdToken?: string } } | undefined)?.Result;
    if (answer.status !== 200 || !result?.IdToken) return answer;
    idToken = result.IdToken;
    return idToken;
  };

  return {
    async send(body) {
      const bearer = await token();
      if (typeof bearer !== 'string') return bearer;
      const response = await fetcher(`${restApiUrl}/pop`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      return readAnswer(response);
    },
  };
}
