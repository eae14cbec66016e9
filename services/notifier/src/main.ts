import { runAsProcess } from '@troupe-services/pipeline';
import { startNotifier } from './notifier';

runAsProcess('notifier', (env) => startNotifier(env, { opsServer: true }));
