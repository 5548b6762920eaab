/** The schemas checked at run time, by the name their compiled validator is exported under. */
import { InstanceConfigFile } from './instanceConfig';
import { LambdaEnvironment } from './lambdaEnvironment';
import { PopRequest, RefreshRequest } from './rest';
import { WebhookRequest } from './webhooks';
import {
  AckMessage,
  CatalogueMessage,
  DesktopMessage,
  LicencesMessage,
  LoginMessage,
  LogoutMessage,
  PingMessage,
  PopMessage,
} from './webSocket';

export const VALIDATED_SCHEMAS = {
  PopRequest,
  RefreshRequest,
  DesktopMessage,
  LoginMessage,
  LogoutMessage,
  AckMessage,
  PingMessage,
  PopMessage,
  CatalogueMessage,
  LicencesMessage,
  LambdaEnvironment,
  InstanceConfigFile,
  WebhookRequest,
} as const;
