import { runAsProcess } from '@troupe-services/pipeline';
import { startVerifier } from './verifier';

runAsProcess('verifier', (env) => startVerifier(env, { opsServer: true }));
