import { isDatabaseUnavailable, isDatabaseUnreachable, sqlState } from './database-errors';

const pg = (code: string) => Object.assign(new Error(`pg ${code}`), { code, severity: 'ERROR' });

describe('database errors', () => {
  it('tells a database that cannot be reached from one that is only busy, and both from a bad query', () => {
    const cases = {
      refused: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      noAnswer: new Error('Query read timeout'),
      shutdown: pg('57P01'),
      lockTimeout: pg('55P03'),
      statementTimeout: pg('57014'),
      uniqueViolation: pg('23505'),
      wrapped: { driverError: pg('08006') },
    };
    const seen = Object.fromEntries(
      Object.entries(cases).map(([name, e]) => [name, [isDatabaseUnavailable(e), isDatabaseUnreachable(e)]]),
    );
    expect(seen).toEqual({
      refused: [true, true],
      noAnswer: [true, true],
      shutdown: [true, true],
      lockTimeout: [true, false],
      statementTimeout: [true, false],
      uniqueViolation: [false, false],
      wrapped: [true, true],
    });
    expect([sqlState(cases.wrapped), sqlState(cases.refused)]).toEqual(['08006', undefined]);
  });
});
