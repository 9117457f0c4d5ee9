/** What a key may do; each role includes the ones below it. */
export enum Role {
  /** Reads and subscribes. */
  VIEWER = 'VIEWER',
  /** Also registers breakers, reports outcomes and acquires permissions. */
  REPORTER = 'REPORTER',
  /** Also resets, forces, disables and reconfigures breakers, recomputes health and manages keys. */
  ADMIN = 'ADMIN',
}

const RANK: Record<Role, number> = { [Role.VIEWER]: 0, [Role.REPORTER]: 1, [Role.ADMIN]: 2 };

/** Whether a key of role `held` may do what needs `required`. */
export function allows(held: Role, required: Role): boolean {
  return RANK[held] >= RANK[required];
}
