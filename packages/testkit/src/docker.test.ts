import { dockerTarget } from './docker';

describe('dockerTarget', () => {
  it('defaults to the standard socket', () => {
    expect(dockerTarget(undefined)).toEqual({ socketPath: '/var/run/docker.sock' });
  });
  it('reads unix:// and tcp:// DOCKER_HOST values', () => {
    expect(dockerTarget('unix:///run/user/1000/docker.sock')).toEqual({
      socketPath: '/run/user/1000/docker.sock',
    });
    expect(dockerTarget('tcp://10.0.0.5:2376')).toEqual({ host: '10.0.0.5', port: 2376 });
    expect(dockerTarget('tcp://docker')).toEqual({ host: 'docker', port: 2375 });
  });
  it('does not guess at other schemes', () => {
    expect(dockerTarget('ssh://me@host')).toBeUndefined();
  });
});
