// Preloaded (`node -r`) into cognito-local by local/emulators.ts: the checks of an app client that cognito-local
// 5.3.0 does not make and Cognito does, so the local stack refuses what AWS refuses (local/README.md):
// - the auth flow must be one of the client's ExplicitAuthFlows (USER_PASSWORD_AUTH is refused by the API's client);
// - a client with a secret needs SECRET_HASH = Base64(HMAC_SHA256(secret, username + client id)), the username of
//   the refresh token's user for REFRESH_TOKEN_AUTH.
// - ADMIN_USER_PASSWORD_AUTH of a user who must set a new password answers the NEW_PASSWORD_REQUIRED challenge (or
//   PasswordResetRequiredException) as Cognito does; cognito-local 5.3.0 issues tokens instead.
// It wraps cognito-local's InitiateAuth and AdminInitiateAuth targets (the Targets table its router reads per request).
'use strict';
const { createHmac, randomUUID, timingSafeEqual } = require('crypto');
const { Targets } = require('cognito-local/lib/targets/targets');
const { InvalidParameterError, NotAuthorizedError, PasswordResetRequiredError } = require('cognito-local/lib/errors');

const ALLOWED_BY_FLOW = {
  USER_PASSWORD_AUTH: 'ALLOW_USER_PASSWORD_AUTH',
  ADMIN_USER_PASSWORD_AUTH: 'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  ADMIN_NO_SRP_AUTH: 'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  USER_SRP_AUTH: 'ALLOW_USER_SRP_AUTH',
  CUSTOM_AUTH: 'ALLOW_CUSTOM_AUTH',
  REFRESH_TOKEN_AUTH: 'ALLOW_REFRESH_TOKEN_AUTH',
  REFRESH_TOKEN: 'ALLOW_REFRESH_TOKEN_AUTH',
};

function sameHash(given, expected) {
  const a = Buffer.from(String(given));
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The username SECRET_HASH is computed from: the one given, or the refresh token's user's. */
async function hashedUsername(services, ctx, req) {
  if (req.AuthFlow !== 'REFRESH_TOKEN_AUTH' && req.AuthFlow !== 'REFRESH_TOKEN') return req.AuthParameters?.USERNAME;
  const userPool = await services.cognito.getUserPoolForClientId(ctx, req.ClientId);
  const user = await userPool.getUserByRefreshToken(ctx, req.AuthParameters?.REFRESH_TOKEN ?? '');
  return user?.Username;
}

async function check(services, ctx, req) {
  const client = await services.cognito.getAppClient(ctx, req.ClientId);
  if (!client) return; // cognito-local's own answer for an unknown client stands
  const allowed = ALLOWED_BY_FLOW[req.AuthFlow];
  if (client.ExplicitAuthFlows && client.ExplicitAuthFlows.length > 0 && !client.ExplicitAuthFlows.includes(allowed)) {
    throw new InvalidParameterError(`${req.AuthFlow} flow not enabled for this client`);
  }
  if (!client.ClientSecret) return;
  const given = req.AuthParameters?.SECRET_HASH;
  if (!given)
    throw new NotAuthorizedError(`Client ${req.ClientId} is configured for secret but secret was not received`);
  const username = await hashedUsername(services, ctx, req);
  if (username === undefined) return; // an unknown user or token: cognito-local refuses it itself
  const expected = createHmac('sha256', client.ClientSecret)
    .update(username + req.ClientId, 'utf8')
    .digest('base64');
  if (!sameHash(given, expected))
    throw new NotAuthorizedError(`SecretHash does not match for the client: ${req.ClientId}`);
}

/** Cognito's answer to a right password of a user who may not sign in yet; undefined when tokens are due. */
async function pendingPasswordChange(services, ctx, req) {
  if (req.AuthFlow !== 'ADMIN_USER_PASSWORD_AUTH' && req.AuthFlow !== 'ADMIN_NO_SRP_AUTH') return undefined;
  const userPool = await services.cognito.getUserPoolForClientId(ctx, req.ClientId);
  const user = await userPool.getUserByUsername(ctx, req.AuthParameters?.USERNAME ?? '');
  if (!user || user.Password !== req.AuthParameters?.PASSWORD) return undefined; // cognito-local refuses it itself
  if (user.UserStatus === 'RESET_REQUIRED') throw new PasswordResetRequiredError();
  if (user.UserStatus !== 'FORCE_CHANGE_PASSWORD') return undefined;
  return {
    ChallengeName: 'NEW_PASSWORD_REQUIRED',
    ChallengeParameters: { USER_ID_FOR_SRP: user.Username, requiredAttributes: '[]', userAttributes: '{}' },
    Session: randomUUID(),
  };
}

for (const name of ['InitiateAuth', 'AdminInitiateAuth']) {
  const target = Targets[name];
  Targets[name] = (services) => {
    const run = target(services);
    return async (ctx, req) => {
      await check(services, ctx, req);
      return (await pendingPasswordChange(services, ctx, req)) ?? run(ctx, req);
    };
  };
}
