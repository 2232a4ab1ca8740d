import { GraphQLError } from 'graphql';
import { badInput, formatError, isUniqueViolation } from './errors';
import { decodeCursor, encodeCursor, pageSize } from './pagination';

const format = (error: Error) =>
  formatError(
    new GraphQLError(error.message, { originalError: error }).toJSON(),
    new GraphQLError(error.message, { originalError: error }),
  );

describe('formatError', () => {
  it('passes domain errors through with their code and field', () => {
    const error = badInput('price', 'price must not be negative');
    expect(formatError(error.toJSON(), error).extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'price' });
  });

  it('reports a lost database as an internal error too: the gateway, not the driver, decides what failed', () => {
    const lost = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(format(lost)).toEqual(expect.objectContaining({ message: 'Internal server error' }));
    expect(format(lost).extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  });

  it('hides the message of an unexpected error', () => {
    const formatted = format(new Error('secret internals'));
    expect(formatted.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(formatted.message).not.toContain('secret');
  });
});

describe('pagination', () => {
  it('round-trips cursors and refuses foreign ones', () => {
    expect(decodeCursor(encodeCursor(['a', 1]), 2)).toEqual(['a', 1]);
    expect(decodeCursor(undefined, 2)).toBeNull();
    expect(() => decodeCursor('garbage', 2)).toThrow(/cursor/);
    expect(() => decodeCursor(encodeCursor(['a']), 2)).toThrow(/cursor/);
  });

  it('bounds page sizes', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(() => pageSize(0)).toThrow(/first/);
    expect(() => pageSize(51)).toThrow(/first/);
  });
});

describe('isUniqueViolation', () => {
  it('knows a unique violation from a Prisma model call, a Prisma raw statement and the driver, and nothing else', () => {
    expect(isUniqueViolation(Object.assign(new Error('Unique constraint failed'), { code: 'P2002' }))).toBe(true);
    const raw = {
      code: 'P2010',
      meta: {
        driverAdapterError: {
          name: 'DriverAdapterError',
          cause: { originalCode: '23505', kind: 'UniqueConstraintViolation' },
        },
      },
    };
    expect(isUniqueViolation(Object.assign(new Error('Raw query failed. Code: `23505`'), raw))).toBe(true);
    const otherRaw = {
      code: 'P2010',
      meta: {
        driverAdapterError: {
          name: 'DriverAdapterError',
          cause: { originalCode: '23503', kind: 'ForeignKeyConstraintViolation' },
        },
      },
    };
    expect(isUniqueViolation(Object.assign(new Error('Raw query failed'), otherRaw))).toBe(false);
    expect(
      isUniqueViolation(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' })),
    ).toBe(true);
    expect(
      isUniqueViolation(
        Object.assign(new Error('insert or update violates foreign key constraint'), { code: '23503' }),
      ),
    ).toBe(false);
    expect(isUniqueViolation(new Error('P2002'))).toBe(false);
    expect(isUniqueViolation(null)).toBe(false);
  });
});
