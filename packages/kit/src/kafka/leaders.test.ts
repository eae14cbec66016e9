import { retryWhileLeadershipSettles } from './leaders';

const notLeader = Object.assign(
  new Error('This server is not the leader for that topic-partition'),
  {
    type: 'NOT_LEADER_FOR_PARTITION',
  },
);
const isLeadership = (e: unknown) => (e as { type?: string }).type === 'NOT_LEADER_FOR_PARTITION';

describe('retryWhileLeadershipSettles', () => {
  test('asks again until the leader answers', async () => {
    const answers = [notLeader, notLeader, 'offsets'];
    const read = jest.fn(async () => {
      const next = answers.shift();
      if (next instanceof Error) throw next;
      return next;
    });
    await expect(retryWhileLeadershipSettles(read, isLeadership)).resolves.toBe('offsets');
    expect(read).toHaveBeenCalledTimes(3);
  });

  test('throws any other error at once', async () => {
    const denied = new Error('Not authorized to access topics');
    const read = jest.fn(async () => {
      throw denied;
    });
    await expect(retryWhileLeadershipSettles(read, isLeadership)).rejects.toBe(denied);
    expect(read).toHaveBeenCalledTimes(1);
  });

  test('gives up at the deadline with the broker error', async () => {
    const read = jest.fn(async () => {
      throw notLeader;
    });
    await expect(retryWhileLeadershipSettles(read, isLeadership, 200)).rejects.toBe(notLeader);
    expect(read.mock.calls.length).toBeGreaterThan(1);
  });
});
