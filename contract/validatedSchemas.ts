/** The schemas checked at run time, by the name their compiled validator is exported under. */
import { InstanceConfigFile } from './instanceConfig';
import { LambdaEnvironment } from './lambdaEnvironment';
import { PopRequest, RefreshRequest } from './rest';
import { AckMessage, DesktopMessage, LoginMessage, LogoutMessage, PingMessage, PopMessage } from './webSocket';

export const VALIDATED_SCHEMAS = {
  PopRequest,
  RefreshRequest,
  DesktopMessage,
  LoginMessage,
  LogoutMessage,
  AckMessage,
  PingMessage,
  PopMessage,
  LambdaEnvironment,
  InstanceConfigFile,
} as const;
