/**
 * The event feed (GET /events): every change of a pop's status is one event, each pop's in order, paged with an
 * opaque cursor. lambdas/events/ writes and reads them; webhook deliveries carry the same event.
 */
import { Type, type Static } from '@sinclair/typebox';
import { MAX_EVENTS_PAGE } from './limits';
import { oneOf } from './schemaKit';
import { POP_REASONS, POP_STATUSES } from './statuses';

export const PopEvent = Type.Object(
  {
    Cursor: Type.String({
      description:
        "Opaque. In a page: GET /events?after=<Cursor> continues after this event. In a webhook delivery: this event's place alone; GET /events from it misses nothing after the event but may repeat other pops' events (deduplicate on EventId).",
    }),
    EventId: Type.String({ description: 'Stable for one status change of one pop: deduplicate on it.' }),
    Type: Type.Literal('pop.status'),
    PopId: Type.String(),
    Status: oneOf(POP_STATUSES),
    Reason: Type.Optional(oneOf(POP_REASONS)),
    Username: Type.String(),
    Campaign: Type.String(),
    Reference: Type.Optional(Type.String()),
    OccurredAt: Type.String({ format: 'date-time', description: 'When the pop took this status (its UpdatedAt).' }),
  },
  { description: "One change of a pop's status." },
);
export type PopEvent = Static<typeof PopEvent>;

export const EventsPage = Type.Object(
  {
    Events: Type.Array(PopEvent, { maxItems: MAX_EVENTS_PAGE }),
    Cursor: Type.String({ description: 'Pass as `after` for the next page; the same cursor when no event was new.' }),
  },
  { description: 'The events after a cursor, oldest first.' },
);
export type EventsPage = Static<typeof EventsPage>;
