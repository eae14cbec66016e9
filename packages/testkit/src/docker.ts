import http from 'node:http';

/**
 * Does a Docker engine answer `GET /_ping` within a second? The docker CLI may be installed
 * without an engine (as on our CI machines), so its presence proves nothing.
 */
export function dockerEngineAnswers(
  env: Record<string, string | undefined> = process.env,
  timeoutMs = 1000,
): Promise<boolean> {
  const target = dockerTarget(env.DOCKER_HOST);
  if (!target) return Promise.resolve(false);
  return new Promise((resolve) => {
    const request = http.get({ ...target, path: '/_ping', timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

export function dockerTarget(
  dockerHost: string | undefined,
): { socketPath: string } | { host: string; port: number } | undefined {
  if (!dockerHost) return { socketPath: '/var/run/docker.sock' };
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  if (dockerHost.startsWith('tcp://')) {
    const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
    return { host: url.hostname, port: Number(url.port || 2375) };
  }
  return undefined;
}
