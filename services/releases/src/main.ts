import { runAsProcess } from '@troupe-services/pipeline';
import { startReleases } from './releases';

runAsProcess('releases', (env) => startReleases(env, { opsServer: true }));
