import { BreakerState, RecoveryEventType } from '../breakers/engine';
import { parseEventMessage, toEventMessage } from './event-message';
import { StoredEvent } from './stored-event';

function event(overrides: Partial<StoredEvent> = {}): StoredEvent {
  return {
    id: '42',
    breakerName: 'payments',
    type: RecoveryEventType.CIRCUIT_OPENED,
    occurredAt: new Date('2024-05-06T07:08:09.123Z'),
    durationSinceLastMs: 1500,
    fromState: BreakerState.CLOSED,
    toState: BreakerState.OPEN,
    info: { failures: 5, reason: 'timeouts €' },
    ...overrides,
  };
}

describe('toEventMessage', () => {
  it('sends the whole event, with occurredAt as ISO text, when it fits', () => {
    const e = event();
    const message = toEventMessage(e, 10_000);
    expect(message).toEqual({
      event: {
        id: '42',
        breakerName: 'payments',
        type: 'CIRCUIT_OPENED',
        occurredAt: '2024-05-06T07:08:09.123Z',
        durationSinceLastMs: 1500,
        fromState: 'CLOSED',
        toState: 'OPEN',
        info: { failures: 5, reason: 'timeouts €' },
      },
    });
    // The event itself is left alone.
    expect(e.occurredAt).toBeInstanceOf(Date);
  });

  it('sends a reference when the JSON is larger than maxBytes, counting bytes', () => {
    const big = event({ id: '9007199254740993', info: { blob: 'x'.repeat(10_000) } });
    expect(toEventMessage(big, 7000)).toEqual({ ref: '9007199254740993' });

    // The limit is inclusive, and measured in UTF-8 bytes of the message's JSON.
    const euros = event({ info: { text: '€'.repeat(100) } });
    const wholeBytes = Buffer.byteLength(JSON.stringify(toEventMessage(euros, Number.MAX_SAFE_INTEGER)));
    const wholeChars = JSON.stringify(toEventMessage(euros, Number.MAX_SAFE_INTEGER)).length;
    expect(wholeBytes).toBe(wholeChars + 200);
    expect(toEventMessage(euros, wholeBytes)).toHaveProperty('event.id', '42');
    expect(toEventMessage(euros, wholeBytes - 1)).toEqual({ ref: '42' });
    expect(toEventMessage(euros, wholeChars)).toEqual({ ref: '42' });
  });
});

describe('parseEventMessage', () => {
  it('round-trips a whole event through JSON', () => {
    const e = event({ fromState: null, durationSinceLastMs: null, info: { nested: { list: [1, 'two'] } } });
    const wire: unknown = JSON.parse(JSON.stringify(toEventMessage(e, 10_000)));
    const parsed = parseEventMessage(wire);
    expect(parsed).toEqual({ event: e });
    const back = (parsed as { event: StoredEvent }).event;
    expect(back.occurredAt).toBeInstanceOf(Date);
    expect(back.occurredAt.getTime()).toBe(e.occurredAt.getTime());
  });

  it('round-trips a reference', () => {
    const e = event({ id: '123456789012', info: { blob: 'y'.repeat(500) } });
    const wire: unknown = JSON.parse(JSON.stringify(toEventMessage(e, 100)));
    expect(parseEventMessage(wire)).toEqual({ ref: '123456789012' });
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'hello'],
    ['a JSON string of a message', '{"ref":"1"}'],
    ['a number', 5],
    ['a boolean', true],
    ['an empty object', {}],
    ['an array', [{ ref: '1' }]],
    ['an event without fields', { event: {} }],
    ['an event without id', { event: { breakerName: 'payments' } }],
    ['an event with a numeric id', { event: { id: 1, breakerName: 'payments' } }],
    ['an event without breakerName', { event: { id: '1' } }],
    ['a null event', { event: null }],
    ['a string event', { event: 'x' }],
    ['a numeric ref', { ref: 1 }],
    ['a null ref', { ref: null }],
  ])('answers null for %s', (_name, message) => {
    expect(parseEventMessage(message)).toBeNull();
  });
});
