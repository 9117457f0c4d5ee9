import { Role } from './role';

/** Who is calling: the API key that authenticated the request or the connection. */
export interface Principal {
  readonly keyId: number;
  readonly name: string;
  readonly role: Role;
  /** A breaker-name prefix the key is limited to, or null for every breaker (see BreakerScope). */
  readonly scope: string | null;
}
