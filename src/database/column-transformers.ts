import { ValueTransformer } from 'typeorm';

/** Postgres bigint arrives from `pg` as a string; counters stay far below 2^53, so a number is exact. */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | null) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
