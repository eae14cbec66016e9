import { runAsProcess } from '@troupe-services/pipeline';
import { startCanary } from './canary';

runAsProcess('canary', (env) => startCanary(env, { opsServer: true }));
