import { defaultPipelineNames } from '@troupe-services/pipeline';
import { loadSuiteSettings, verifierDefinition } from './verifier';

/** The verifier as the system catalog (troupe.config.ts) describes it. */
export default verifierDefinition(defaultPipelineNames(), loadSuiteSettings({}));
