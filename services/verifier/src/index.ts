export { startVerifier, verifierDefinition, loadSuiteSettings } from './verifier';
export type { RunningVerifier } from './verifier';
export { runSuite, failingTests, SUITE } from './test-suite';
export type { SuiteSettings, SuiteResult } from './test-suite';
