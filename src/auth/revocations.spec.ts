import { Handlers } from '../pubsub/handlers';
import { PubSub, Unsubscribe } from '../pubsub/pubsub';
import { PubSubChannel } from '../pubsub/pubsub-channel';
import { Revocations } from './revocations';

/** In-process delivery, with the set of connected listeners under the test's control. */
class FakePubSub implements PubSub {
  readonly maxMessageBytes = 1000;
  readonly listenerId = 1;
  connected = [1];
  readonly published: { channel: PubSubChannel; message: unknown }[] = [];
  private readonly channels = new Map<PubSubChannel, Handlers<unknown>>();

  async publish(channel: PubSubChannel, messages: readonly unknown[]): Promise<void> {
    for (const message of messages) {
      this.published.push({ channel, message });
      this.deliver(channel, message);
    }
  }

  deliver(channel: PubSubChannel, message: unknown): void {
    this.channels.get(channel)?.call(message, (error) => {
      throw error;
    });
  }

  subscribe(channel: PubSubChannel, handler: (message: unknown) => void): Unsubscribe {
    let handlers = this.channels.get(channel);
    if (!handlers) this.channels.set(channel, (handlers = new Handlers()));
    return handlers.add(handler);
  }

  readonly lostHandlers = new Handlers<void>();
  readonly resumedHandlers = new Handlers<number>();

  onLost(handler: () => void): Unsubscribe {
    return this.lostHandlers.add(handler);
  }

  onResumed(handler: (lostAt: number) => void): Unsubscribe {
    return this.resumedHandlers.add(handler);
  }

  async listeners(): Promise<number[]> {
    return this.connected;
  }
}

describe('Revocations', () => {
  let pubsub: FakePubSub;
  let revocations: Revocations;

  beforeEach(() => {
    pubsub = new FakePubSub();
    revocations = new Revocations(pubsub);
    revocations.onModuleInit();
  });

  afterEach(() => revocations.onModuleDestroy());

  it('is deaf from the listener’s loss until it is back: it forgets at both, and says it is not hearing', () => {
    let forgotten = 0;
    revocations.onForgotten(() => forgotten++);
    revocations.note(3);
    expect(revocations.hearing).toBe(true);
    const mark = revocations.mark;
    pubsub.lostHandlers.call(undefined, (error) => {
      throw error;
    });
    expect({ hearing: revocations.hearing, forgotten, revokedSince: revocations.revokedSince(9, mark) }).toEqual({
      hearing: false,
      forgotten: 1,
      revokedSince: true,
    });
    pubsub.resumedHandlers.call(0, (error) => {
      throw error;
    });
    expect({ hearing: revocations.hearing, forgotten }).toEqual({ hearing: true, forgotten: 2 });
  });

  it('acknowledges a revocation it heard, after its handlers have run', async () => {
    const order: string[] = [];
    revocations.onRevoked((keyId) => order.push(`evicted ${keyId}`));
    pubsub.deliver(PubSubChannel.KEY_REVOKED, { keyId: 7 });
    await new Promise((resolve) => setImmediate(resolve));
    order.push(...pubsub.published.map((p) => `${p.channel} ${JSON.stringify(p.message)}`));
    expect(order).toEqual(['evicted 7', `${PubSubChannel.KEY_REVOCATION_HEARD} {"keyId":7,"by":1}`]);
    expect(revocations.isRevoked(7)).toBe(true);
  });

  it('resolves once every expected listener has acknowledged, with none missing', async () => {
    pubsub.connected = [1, 2];
    const echo = revocations.echo(7);
    const waiting = echo.heardBy([1, 2], 5000);
    pubsub.deliver(PubSubChannel.KEY_REVOCATION_HEARD, { keyId: 7, by: 1 });
    pubsub.deliver(PubSubChannel.KEY_REVOCATION_HEARD, { keyId: 8, by: 2 }); // another key's
    let settled = false;
    void waiting.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(settled).toBe(false);
    pubsub.deliver(PubSubChannel.KEY_REVOCATION_HEARD, { keyId: 7, by: 2 });
    await expect(waiting).resolves.toEqual([]);
    echo.cancel();
  });

  it('stops waiting for a listener that disconnected', async () => {
    pubsub.connected = [1, 2];
    const echo = revocations.echo(7);
    const waiting = echo.heardBy([1, 2], 5000);
    pubsub.deliver(PubSubChannel.KEY_REVOCATION_HEARD, { keyId: 7, by: 1 });
    pubsub.connected = [1, 3];
    await expect(waiting).resolves.toEqual([]);
    echo.cancel();
  });

  it('answers the listeners that stayed silent when the time is up', async () => {
    pubsub.connected = [1, 2];
    const echo = revocations.echo(7);
    pubsub.deliver(PubSubChannel.KEY_REVOCATION_HEARD, { keyId: 7, by: 1 });
    await expect(echo.heardBy([1, 2], 300)).resolves.toEqual([2]);
    echo.cancel();
  });

  it('hears nothing after it is cancelled', async () => {
    const echo = revocations.echo(7);
    echo.cancel();
    pubsub.deliver(PubSubChannel.KEY_REVOCATION_HEARD, { keyId: 7, by: 1 });
    await expect(echo.heardBy([1], 150)).resolves.toEqual([1]);
  });
});
