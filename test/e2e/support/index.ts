/** What e2e tests import: `import { readEndpoints, createUser, getToken, connectInstance } from './support';` */
export { readEndpoints, testHooksUrl, type LocalEndpoints } from './endpoints';
export { uniqueName, uniqueTenant } from './names';
export { cognito, createUser, getToken, initiateAuth, type TestUser, type Tokens } from './users';
export {
  connectInstance,
  dropConnection,
  handshakeStatus,
  HandshakeRefusedError,
  openConnectionIds,
  type ConnectOptions,
  type InstanceConnection,
} from './instances';
export { callApi, basic, pop, type ApiAnswer, type CallOptions } from './api';
