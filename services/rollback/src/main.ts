import { runAsProcess } from '@troupe-services/pipeline';
import { startRollback } from './rollback';

runAsProcess('rollback', (env) => startRollback(env, { opsServer: true }));
