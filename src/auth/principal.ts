import { Role } from './role';

/** Who is calling: the API key that authenticated the request or the connection. */
export interface Principal {
  readonly keyId: number;
  readonly name: string;
  readonly role: Role;
}
