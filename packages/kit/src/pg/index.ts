export { checkOutClient } from './checked-out';
export { inTransaction } from './transaction';
