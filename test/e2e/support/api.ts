/** Calls to the local stack's REST API as a third-party system makes them, with the envelope parsed. */
import { readEndpoints } from './endpoints';
import { recordSecret, recordTokens } from './secrets';

export interface ApiAnswer<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: {
    Success: boolean;
    Result: T;
    Version: string;
    RequestId: string;
    Error?: { Code: string; Message: string; Details?: string[] };
  };
}

export interface CallOptions {
  readonly token?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Another stack's REST API. @default the shared e2e stack's */
  readonly restApiUrl?: string;
}

export async function callApi<T = any>(method: string, path: string, options: CallOptions = {}): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  if (headers.Authorization?.startsWith('Basic ')) recordSecret('basic', headers.Authorization);
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const response = await fetch(`${options.restApiUrl ?? readEndpoints().RestApiUrl}${path}`, { method, headers, body });
  const answer = { status: response.status, headers: response.headers, body: JSON.parse(await response.text()) };
  // Every token handed out goes on the run's secrets list, which globalTeardown checks against every log.
  if (path.startsWith('/auth')) recordTokens(answer.body?.Result ?? undefined);
  return answer;
}

export const basic = (username: string, password: string) =>
  recordSecret('basic', `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`);

export const pop = (token: string, body: unknown, headers?: Record<string, string>) =>
  callApi<{ PopId: string; Status: string }>('POST', '/pop', { token, body, ...(headers ? { headers } : {}) });
