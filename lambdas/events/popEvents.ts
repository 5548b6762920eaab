/**
 * Which event a change of a pop item is, from the stream record's two images: a new status is one event, anything
 * else (SentTo, UpdatedAt, a failure noted while another instance may still open the pop) is none. Pure: the stream
 * handler (streamHandler.ts) persists what this decides.
 */
import type { StoredEvent } from './eventStore';

export type Image = Readonly<Record<string, unknown>>;

export function eventOf(oldImage: Image | undefined, newImage: Image | undefined): StoredEvent | undefined {
  if (!newImage || newImage.Type !== 'Pop' || typeof newImage.Status !== 'string') return undefined;
  if (oldImage?.Status === newImage.Status) return undefined;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const reference = text(newImage.Reference);
  // Failed says why; Expired says HoldExpired (lambdas/pops/heldPops.ts).
  const reason = newImage.Status === 'Failed' || newImage.Status === 'Expired' ? text(newImage.Reason) : undefined;
  return {
    Tenant: String(newImage.Tenant),
    // A status is taken at most once per pop (it only moves forward: pops/status.ts), so this names one change.
    EventId: `${String(newImage.PopId)}.${newImage.Status}`,
    Type: 'pop.status',
    PopId: String(newImage.PopId),
    Status: newImage.Status as StoredEvent['Status'],
    ...(reason !== undefined ? { Reason: reason as StoredEvent['Reason'] } : {}),
    Username: String(newImage.Username),
    Campaign: String(newImage.Campaign),
    ...(reference !== undefined ? { Reference: reference } : {}),
    OccurredAt: String(newImage.UpdatedAt ?? newImage.CreatedAt),
  };
}
