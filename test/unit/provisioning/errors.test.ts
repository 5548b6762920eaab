/**
 * Error mapping. cliFailure is checked over the SDK's own exception classes; then `run` end to end in process
 * for the failures cognito-local cannot produce (credentials, access, Cognito's password policy), with
 * aws-sdk-client-mock standing in for the service only there.
 */
import {
  CognitoIdentityProviderClient,
  CognitoIdentityProviderServiceException,
  DescribeUserPoolCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminSetUserPasswordCommand,
  InvalidPasswordException,
  ListUsersCommand,
  ResourceNotFoundException,
  UsernameExistsException,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidUserSpecError } from '../../../provisioning/tenantUsers';
import type { Io } from '../../../provisioning/commands';
import { CliError, cliFailure, EXIT } from '../../../provisioning/errors';
import { run } from '../../../provisioning/main';

const $metadata = {};
/** The shape the SDK's credential chain throws (CredentialsProviderError of @smithy/core, not a direct dependency). */
function credentialsProviderError(): Error {
  return Object.assign(new Error('Could not load credentials from any providers'), {
    name: 'CredentialsProviderError',
    tryNextLink: false,
  });
}
function serviceError(name: string, message: string): Error {
  return new CognitoIdentityProviderServiceException({ name, message, $fault: 'client', $metadata });
}

describe('cliFailure', () => {
  const context = { username: 'acme-crm', target: 'user pool eu-west-1_abc in eu-west-1' };

  it.each([
    [
      new UsernameExistsException({ message: 'User account already exists', $metadata }),
      EXIT.CONFLICT,
      /User "acme-crm" already exists in user pool eu-west-1_abc/,
    ],
    [
      new UserNotFoundException({ message: 'User does not exist.', $metadata }),
      EXIT.NOT_FOUND,
      /User "acme-crm" was not found in user pool/,
    ],
    [
      new InvalidPasswordException({
        message: 'Password did not conform with policy: Password not long enough',
        $metadata,
      }),
      EXIT.INVALID_INPUT,
      /refused by the user pool's password policy: Password did not conform/,
    ],
    [
      new ResourceNotFoundException({ message: 'User pool eu-west-1_abc does not exist.', $metadata }),
      EXIT.TARGET,
      /The target user pool eu-west-1_abc in eu-west-1 does not exist/,
    ],
    [new ResourceNotFoundException({ message: 'Group not found', $metadata }), EXIT.TARGET, /lacks a role group/],
    [
      serviceError('AliasExistsException', 'An account with the email already exists.'),
      EXIT.CONFLICT,
      /already has this email/,
    ],
    [
      serviceError('InvalidParameterException', '1 validation error detected'),
      EXIT.INVALID_INPUT,
      /Cognito refused a value/,
    ],
    [credentialsProviderError(), EXIT.TARGET, /No AWS credentials found/],
    [
      serviceError('ExpiredTokenException', 'The security token included in the request is expired'),
      EXIT.TARGET,
      /expired or invalid/,
    ],
    [
      serviceError('UnrecognizedClientException', 'The security token included in the request is invalid.'),
      EXIT.TARGET,
      /expired or invalid/,
    ],
    [
      serviceError('AccessDeniedException', 'not authorized to perform: cognito-idp:AdminCreateUser'),
      EXIT.TARGET,
      /not allowed to do this in user pool .*AdminCreateUser/,
    ],
    [serviceError('TooManyRequestsException', 'Too many requests'), EXIT.UNEXPECTED, /throttling/],
    [new InvalidUserSpecError('Invalid tenant "X"'), EXIT.INVALID_INPUT, /^Invalid tenant "X"$/],
    [new CliError('No target', EXIT.TARGET), EXIT.TARGET, /^No target$/],
    [
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      EXIT.TARGET,
      /Cannot reach Cognito at AWS \(ECONNREFUSED\)/,
    ],
    [new Error('Region is missing'), EXIT.TARGET, /pass --region/],
  ])('maps %p to exit %p', (error, exitCode, message) => {
    const described = cliFailure(error, context);

    expect(described).toMatchObject({ exitCode, expected: true });
    expect(described.message).toMatch(message);
  });

  it('points at the local stack when the local endpoint is unreachable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(cliFailure(refused, { endpoint: 'http://127.0.0.1:9229' }).message).toBe(
      'Cannot reach Cognito at http://127.0.0.1:9229 (ECONNREFUSED). Is the local stack running (`npm start`)?',
    );
  });

  it('reports anything else as unexpected, exit 1', () => {
    expect(cliFailure(new TypeError('x is undefined'))).toEqual({
      message: 'Unexpected error: TypeError: x is undefined',
      exitCode: EXIT.UNEXPECTED,
      expected: false,
    });
    expect(cliFailure('a string')).toMatchObject({ exitCode: EXIT.UNEXPECTED, message: 'Unexpected error: a string' });
  });
});

describe('run: failures the emulator cannot produce', () => {
  const cognito = mockClient(CognitoIdentityProviderClient);
  const target = ['--user-pool-id', 'eu-west-1_abc'];

  function capture(env: NodeJS.ProcessEnv = {}): { io: Io; out: string[]; err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      interactive: false,
      ask: () => Promise.reject(new Error('no terminal')),
      readStdin: () => Promise.resolve(''),
      env,
    };
    return { io, out, err };
  }

  beforeEach(() => cognito.reset());
  afterAll(() => cognito.restore());

  it('no credentials: exit 6, one clear line, no stack trace', async () => {
    cognito.on(ListUsersCommand).rejects(credentialsProviderError());
    const { io, err } = capture();

    const code = await run(['user', 'list', ...target], io);

    expect(code).toBe(EXIT.TARGET);
    expect(err).toEqual([
      'Target: user pool eu-west-1_abc in eu-west-1',
      expect.stringMatching(/^Error: No AWS credentials found\./),
    ]);
  });

  it('insufficient permissions: exit 6 naming the action', async () => {
    cognito.on(DescribeUserPoolCommand).resolves({ UserPool: {} });
    cognito
      .on(AdminCreateUserCommand)
      .rejects(
        serviceError(
          'AccessDeniedException',
          'User: arn:aws:sts::1:assumed-role/x is not authorized to perform: cognito-idp:AdminCreateUser',
        ),
      );
    const { io, err } = capture();

    const code = await run(
      ['user', 'create', '--tenant', 'acme', '--username', 'acme-crm', '--role', 'api', ...target],
      io,
    );

    expect(code).toBe(EXIT.TARGET);
    expect(err.at(-1)).toMatch(/^Error: Your AWS identity is not allowed .*cognito-idp:AdminCreateUser/);
  });

  it("Cognito's own password policy: exit 5, and the half-created user is removed", async () => {
    // DescribeUserPool denied: the CLI cannot pre-check, Cognito refuses the password itself.
    cognito.on(DescribeUserPoolCommand).rejects(serviceError('AccessDeniedException', 'denied'));
    cognito.on(AdminCreateUserCommand).resolves({});
    cognito.on(AdminSetUserPasswordCommand).rejects(
      new InvalidPasswordException({
        message: 'Password did not conform with policy: Password must have symbol characters',
        $metadata,
      }),
    );
    cognito.on(AdminDeleteUserCommand).resolves({});
    const { io, out, err } = capture();

    const code = await run(
      [
        'user',
        'create',
        '--tenant',
        'acme',
        '--username',
        'acme-crm',
        '--role',
        'api',
        '--password',
        'Abcdefgh1234',
        ...target,
      ],
      io,
    );

    expect(code).toBe(EXIT.INVALID_INPUT);
    expect(out).toEqual([]);
    expect(err.at(-1)).toMatch(
      /password policy: Password did not conform with policy: Password must have symbol characters/,
    );
    expect(cognito.commandCalls(AdminDeleteUserCommand)).toHaveLength(1);
  });

  it('an unexpected error: exit 1, a hint, and the stack only with VENDOR_DEBUG', async () => {
    cognito.on(ListUsersCommand).rejects(new TypeError('boom'));
    const quiet = capture();
    const debug = capture({ VENDOR_DEBUG: '1' });

    expect(await run(['user', 'list', ...target], quiet.io)).toBe(EXIT.UNEXPECTED);
    expect(await run(['user', 'list', ...target], debug.io)).toBe(EXIT.UNEXPECTED);

    expect(quiet.err.slice(1)).toEqual([
      'Error: Unexpected error: TypeError: boom',
      'Set VENDOR_DEBUG=1 to see the stack trace.',
    ]);
    expect(debug.err.at(-1)).toMatch(/^TypeError: boom\n\s+at /);
  });

  it('usage errors exit 2; help exits 0', async () => {
    const unknown = capture();
    const help = capture();

    expect(await run(['user', 'frobnicate'], unknown.io)).toBe(EXIT.USAGE);
    expect(await run(['user', 'create', '--help'], help.io)).toBe(EXIT.OK);

    expect(unknown.err.join('\n')).toContain("unknown command 'frobnicate'");
    expect(help.out.join('\n')).toMatch(/Examples:\n\s+\$ remote-pop-provision user create --tenant acme/);
  });
});
