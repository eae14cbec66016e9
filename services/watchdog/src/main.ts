import { runAsProcess } from '@troupe-services/pipeline';
import { startWatchdog } from './watchdog';

runAsProcess('watchdog', (env) => startWatchdog(env, { opsServer: true }));
