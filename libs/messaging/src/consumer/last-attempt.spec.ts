import type { EventContext } from './event-context';
import { answerFailureOnLastAttempt } from './last-attempt';

describe('answerFailureOnLastAttempt', () => {
  const contextAt = (attempt: number) => {
    const statements: string[] = [];
    const ctx = { attempt, manager: { query: async (sql: string) => void statements.push(sql) } } as unknown as EventContext;
    return { ctx, statements };
  };

  it('lets an earlier attempt fail, to be retried with backoff', async () => {
    const { ctx, statements } = contextAt(4);
    const onFailure = jest.fn();
    await expect(answerFailureOnLastAttempt(ctx, 5, () => Promise.reject(new Error('database unavailable')), onFailure)).rejects.toThrow('database unavailable');
    expect(onFailure).not.toHaveBeenCalled();
    expect(statements).toEqual([]);
  });

  it('answers the failure on the last attempt, its effect rolled back to the savepoint', async () => {
    const { ctx, statements } = contextAt(5);
    const onFailure = jest.fn(async () => void statements.push('answered'));
    await answerFailureOnLastAttempt(ctx, 5, () => Promise.reject(new Error('database unavailable')), onFailure);
    expect(onFailure).toHaveBeenCalledWith('database unavailable');
    expect(statements).toEqual(['SAVEPOINT last_attempt', 'ROLLBACK TO SAVEPOINT last_attempt', 'answered']);
  });

  it('does the work once when it succeeds on the last attempt', async () => {
    const { ctx } = contextAt(5);
    const work = jest.fn(async () => undefined);
    const onFailure = jest.fn();
    await answerFailureOnLastAttempt(ctx, 5, work, onFailure);
    expect(work).toHaveBeenCalledTimes(1);
    expect(onFailure).not.toHaveBeenCalled();
  });
});
