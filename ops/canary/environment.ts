/** The canary function's environment (set by lib/canary.ts, read by lambda.ts): no imports, both sides read it. */
export const CANARY_ENV = {
  restApiUrl: 'CANARY_REST_API_URL',
  webSocketUrl: 'CANARY_WEBSOCKET_URL',
  userPoolId: 'CANARY_USER_POOL_ID',
  tableName: 'CANARY_TABLE_NAME',
  tenant: 'CANARY_TENANT',
} as const;
