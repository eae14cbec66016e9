export { startRollback, rollbackDefinition, loadRollbackFault } from './rollback';
export type { RollbackFault, RunningRollback } from './rollback';
