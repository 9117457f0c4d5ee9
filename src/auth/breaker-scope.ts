import { AppError } from '../common/errors/app-error';
import { ErrorCode } from '../common/errors/error-code';
import type { Principal } from './principal';

/**
 * The breakers a key may see and touch: those whose names start with its scope, or all of them
 * for a key without one. Every resolver that names a breaker asks `require`; every list is cut
 * down with `includes`. A name outside the scope is FORBIDDEN whether or not it exists, so a scoped
 * key learns nothing about other teams' breakers.
 */
export class BreakerScope {
  private constructor(readonly prefix: string | null) {}

  static readonly UNSCOPED = new BreakerScope(null);

  /** The scope of the caller; unscoped when there is no principal (the guard has refused such calls already). */
  static of(principal: Principal | null | undefined): BreakerScope {
    return principal?.scope ? new BreakerScope(principal.scope) : BreakerScope.UNSCOPED;
  }

  get scoped(): boolean {
    return this.prefix !== null;
  }

  includes(name: string): boolean {
    return this.prefix === null || name.startsWith(this.prefix);
  }

  /** FORBIDDEN unless every given name is in scope. Linear in the names. */
  require(names: Iterable<string | null | undefined>): void {
    if (this.prefix === null) return;
    for (const name of names) {
      if (name !== null && name !== undefined && !name.startsWith(this.prefix)) {
        throw new AppError(
          ErrorCode.FORBIDDEN,
          `this API key may only use breakers whose names start with "${this.prefix}"; "${name}" does not`,
        );
      }
    }
  }

  /** FORBIDDEN for a scoped key: for what spans every breaker or every key (key management, a recompute). */
  requireUnscoped(what: string): void {
    if (this.prefix !== null) {
      throw new AppError(ErrorCode.FORBIDDEN, `a key scoped to "${this.prefix}" may not ${what}`);
    }
  }
}
