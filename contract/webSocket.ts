/**
 * The WebSocket protocol between the API and a Scripting instance, both directions. API Gateway routes an instance's
 * message on its `Action` (lambdas/apiRoutes.ts); the API's messages carry a `Type`. docs/asyncapi.json is generated
 * from these schemas.
 */
import { Type, type Static } from '@sinclair/typebox';
import {
  MAX_AGENT_NAME_LENGTH,
  MAX_DESKTOP_AGENTS,
  MAX_DESKTOP_PARTS,
  MAX_POP_ID_LENGTH,
  REASON_PATTERN,
} from './limits';
import { PopRequest, ScriptData } from './rest';
import { closed, identifier, oneOf } from './schemaKit';
import { ACK_STATUSES } from './statuses';
import { WEBSOCKET_ERROR_CODES } from './errors';
import { CatalogueCampaign } from './catalogue';
import { MAX_CATALOGUE_CAMPAIGNS, MAX_CATALOGUE_PARTS, MAX_SEQUENCE } from './limits';
import { LICENCE_TYPES } from './instanceConfig';

const agentName = identifier(MAX_AGENT_NAME_LENGTH);

// ---- instance -> API ----
export const DesktopMessage = Type.Object(
  {
    Action: Type.Literal('Desktop'),
    Agents: Type.Array(agentName, { maxItems: MAX_DESKTOP_AGENTS }),
    Sequence: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 2 ** 53 - 1,
        description: 'Which list this part belongs to; a list with a higher Sequence replaces one with a lower.',
      }),
    ),
    Part: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_DESKTOP_PARTS, description: "This part's number, 1 to Parts." }),
    ),
    Parts: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_DESKTOP_PARTS, description: 'How many parts the list has.' }),
    ),
  },
  {
    ...closed,
    description:
      'The full list of agents on the Desktop, sent after every connect: in one message, or in `Parts` messages ' +
      'sharing a `Sequence` (each one WebSocket frame) when it does not fit one frame. `Sequence`, `Part` and `Parts` go together.',
  },
);
export type DesktopMessage = Static<typeof DesktopMessage>;

export const LoginMessage = Type.Object(
  { Action: Type.Literal('Login'), Username: agentName },
  { ...closed, description: 'An agent logged in to the Desktop.' },
);
export type LoginMessage = Static<typeof LoginMessage>;

export const LogoutMessage = Type.Object(
  { Action: Type.Literal('Logout'), Username: agentName },
  { ...closed, description: 'An agent logged out of the Desktop.' },
);
export type LogoutMessage = Static<typeof LogoutMessage>;

export const AckMessage = Type.Object(
  {
    Action: Type.Literal('Ack'),
    PopId: Type.String({ minLength: 1, maxLength: MAX_POP_ID_LENGTH }),
    Status: oneOf(ACK_STATUSES),
    Reason: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: REASON_PATTERN })),
  },
  { ...closed, description: 'What the instance made of a pop; `Failed` needs a `Reason`.' },
);
export type AckMessage = Static<typeof AckMessage>;

export const PingMessage = Type.Object(
  { Action: Type.Literal('Ping') },
  { ...closed, description: 'Keeps the connection alive; answered Pong.' },
);
export type PingMessage = Static<typeof PingMessage>;

const sequence = (description: string) => Type.Integer({ minimum: 0, maximum: MAX_SEQUENCE, description });

export const CatalogueMessage = Type.Object(
  {
    Action: Type.Literal('Catalogue'),
    Sequence: sequence(
      'Which publication this part belongs to; a higher Sequence replaces the catalogue once all its parts arrived.',
    ),
    Part: Type.Integer({ minimum: 1, maximum: MAX_CATALOGUE_PARTS, description: "This part's number, 1 to Parts." }),
    Parts: Type.Integer({
      minimum: 1,
      maximum: MAX_CATALOGUE_PARTS,
      description: 'How many parts the publication has.',
    }),
    Campaigns: Type.Array(CatalogueCampaign, { maxItems: MAX_CATALOGUE_CAMPAIGNS }),
  },
  {
    ...closed,
    description:
      'The campaigns this instance can open (its catalogue), sent after Desktop on every connection and whenever its ' +
      'configuration changes: whole campaigns in `Parts` messages of one WebSocket frame each, sharing a `Sequence`. ' +
      'An instance that never sends it gets no up-front checks.',
  },
);
export type CatalogueMessage = Static<typeof CatalogueMessage>;

export const AgentLicence = Type.Object(
  { Username: agentName, Licensed: Type.Boolean({ description: 'The agent holds a Remote Pop licence now.' }) },
  closed,
);
export type AgentLicence = Static<typeof AgentLicence>;

export const LicencesMessage = Type.Object(
  {
    Action: Type.Literal('Licences'),
    Sequence: sequence('Grows with every change; an older update never overwrites a newer one.'),
    Licence: oneOf(LICENCE_TYPES),
    SeatsLeft: Type.Optional(Type.Integer({ minimum: 0, description: 'Concurrent: seats free now.' })),
    Agents: Type.Array(AgentLicence, { maxItems: MAX_DESKTOP_AGENTS }),
  },
  {
    ...closed,
    description:
      "Each listed agent's licence state, sent after Desktop (all agents), after a Login (that agent) and whenever a " +
      'state changes (a Concurrent seat passed on); in several messages when one frame does not hold the list.',
  },
);
export type LicencesMessage = Static<typeof LicencesMessage>;

export const INSTANCE_MESSAGES = {
  Desktop: DesktopMessage,
  Login: LoginMessage,
  Logout: LogoutMessage,
  Ack: AckMessage,
  Ping: PingMessage,
  Catalogue: CatalogueMessage,
  Licences: LicencesMessage,
} as const;
export type InstanceAction = keyof typeof INSTANCE_MESSAGES;
export interface InstanceMessageOf {
  Desktop: DesktopMessage;
  Login: LoginMessage;
  Logout: LogoutMessage;
  Ack: AckMessage;
  Ping: PingMessage;
  Catalogue: CatalogueMessage;
  Licences: LicencesMessage;
}
export type InstanceMessage = InstanceMessageOf[InstanceAction];

// ---- API -> instance ----
export const PopMessage = Type.Object(
  {
    Type: Type.Literal('Pop'),
    PopId: Type.String(),
    Username: PopRequest.properties.Username,
    Campaign: PopRequest.properties.Campaign,
    Reference: PopRequest.properties.Reference,
    ScriptData,
    SentAt: Type.String({ format: 'date-time' }),
  },
  { description: "A pop for an agent on this instance's Desktop: open the campaign's Workflow." },
);
export type PopMessage = Static<typeof PopMessage>;

export const PongMessage = Type.Object({ Type: Type.Literal('Pong') }, { description: 'The answer to Ping.' });
export type PongMessage = Static<typeof PongMessage>;

export const ErrorMessage = Type.Object(
  {
    Type: Type.Literal('Error'),
    Code: oneOf(WEBSOCKET_ERROR_CODES),
    Message: Type.String(),
    Details: Type.Optional(Type.Array(Type.String())),
  },
  { description: 'A message was refused; the connection stays open.' },
);
export type ErrorMessage = Static<typeof ErrorMessage>;

export const RecallMessage = Type.Object(
  { Type: Type.Literal('Recall'), PopId: Type.String() },
  {
    description:
      'The caller recalled this pop (DELETE /pops/{PopId}): drop it if it has not opened and acknowledge `Recalled`; ' +
      'a pop already opened stays open (its Opened ack stands). A Recall for a PopId not received yet keeps that pop from opening.',
  },
);
export type RecallMessage = Static<typeof RecallMessage>;

export const API_MESSAGES = { Pop: PopMessage, Pong: PongMessage, Error: ErrorMessage, Recall: RecallMessage } as const;
export type ApiMessage = PopMessage | PongMessage | ErrorMessage | RecallMessage;
