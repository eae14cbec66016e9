import { runAsProcess } from '@troupe-services/pipeline';
import { startTelemetry } from './telemetry';

runAsProcess('telemetry', (env) => startTelemetry(env, { controlServer: true }));
