import { StoredEvent } from './stored-event';

/** A recovery event on the wire: the whole event, or only its id when it is too large to send. */
export type EventMessage = { readonly event: SerializedEvent } | { readonly ref: string };

type SerializedEvent = Omit<StoredEvent, 'occurredAt'> & { readonly occurredAt: string };

/** The message for an event: whole when its JSON fits in `maxBytes`, else a reference to load. */
export function toEventMessage(event: StoredEvent, maxBytes: number): EventMessage {
  const whole: EventMessage = { event: { ...event, occurredAt: event.occurredAt.toISOString() } };
  return Buffer.byteLength(JSON.stringify(whole)) <= maxBytes ? whole : { ref: event.id };
}

/** Reads a message; null for anything that is not one. */
export function parseEventMessage(message: unknown): { event: StoredEvent } | { ref: string } | null {
  if (typeof message !== 'object' || message === null) return null;
  if ('ref' in message && typeof message.ref === 'string' && /^[0-9]{1,19}$/.test(message.ref)) {
    return { ref: message.ref };
  }
  if ('event' in message && typeof message.event === 'object' && message.event !== null) {
    const e = message.event as SerializedEvent;
    if (typeof e.id !== 'string' || !/^[0-9]{1,19}$/.test(e.id) || typeof e.breakerName !== 'string') return null;
    return { event: { ...e, occurredAt: new Date(e.occurredAt) } };
  }
  return null;
}
