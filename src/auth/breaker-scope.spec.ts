import { AppError } from '../common/errors/app-error';
import { BreakerScope } from './breaker-scope';
import { Role } from './role';

const principal = (scope: string | null) => ({ keyId: 1, name: 'k', role: Role.ADMIN, scope });

describe('BreakerScope', () => {
  it('lets an unscoped key use every breaker', () => {
    const scope = BreakerScope.of(principal(null));
    expect(scope.scoped).toBe(false);
    expect(scope.includes('anything')).toBe(true);
    expect(() => scope.require(['a', 'b'])).not.toThrow();
    expect(() => scope.requireUnscoped('manage API keys')).not.toThrow();
  });

  it('limits a scoped key to names that start with its prefix', () => {
    const scope = BreakerScope.of(principal('checkout.'));
    expect(['checkout.payments', 'checkout.', 'checkoutx', 'billing.checkout.'].map((n) => scope.includes(n))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(() => scope.require(['checkout.a', undefined, null])).not.toThrow();
    let refused: unknown;
    try {
      scope.require(['checkout.a', 'billing.b']);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({
      code: 'FORBIDDEN',
      message: 'this API key may only use breakers whose names start with "checkout."; "billing.b" does not',
    });
    expect(() => scope.requireUnscoped('manage API keys')).toThrow(
      'a key scoped to "checkout." may not manage API keys',
    );
  });
});
