import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from './db-errors';
import { toProblem } from './problem';

function pgError(message: string, code?: string): Error {
  return Object.assign(new Error(message), code ? { code } : {});
}

describe('database unavailable → 503', () => {
  it.each([
    ['connection refused (server down)', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['session ended by a shutdown', pgError('terminating connection due to administrator command', '57P01')],
    ['server starting or stopping', pgError('the database system is shutting down', '57P03')],
    ['too many connections', pgError('sorry, too many clients already', '53300')],
    ['connection exception class 08', pgError('connection failure', '08006')],
    ['connection lost mid-query', pgError('Connection terminated unexpectedly')],
    ['pool connect timeout', pgError('timeout exceeded when trying to connect')],
    ['wrapped by TypeORM', new QueryFailedError('SELECT 1', [], pgError('Connection terminated unexpectedly'))],
    ['every address refused', new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' })])],
  ])('%s', (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
    const { problem, retryAfterSeconds } = toProblem(err);
    expect([problem.status, problem.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
    expect(problem.detail).not.toMatch(/127|ECONN|terminat/);
    expect(retryAfterSeconds).toBeGreaterThan(0);
  });

  it.each([
    ['a unique violation', new QueryFailedError('INSERT', [], pgError('duplicate key value', '23505'))],
    ['a syntax error', pgError('syntax error at or near "x"', '42601')],
    ['a plain bug', new TypeError('cannot read properties of undefined')],
    ['nothing useful', 'a string'],
  ])('%s stays what it was', (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
    expect(toProblem(err).problem.status).toBe(500);
  });
});
