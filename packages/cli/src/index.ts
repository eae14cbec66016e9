export { run, createProgram, processContext } from './program';
export { CliFailure, type CliContext } from './context';
export { generateContractsSource, type ContractSchema } from './typegen/typegen';
export { loadContracts, planSubjects, type Contracts, type SubjectPlan } from './schemas/contracts';
export { renderContracts, defaultGeneratedFile } from './schemas/generate';
export { explainIncompatibility } from './schemas/check';
