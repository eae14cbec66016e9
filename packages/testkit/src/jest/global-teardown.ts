import './from-sources'; // first: @troupe/* below resolve to their src/
import { stopStack } from '../stack';

/** Stops what globalSetup started (nothing, when the stack came from TROUPE_* settings). */
export default async function globalTeardown(): Promise<void> {
  await stopStack();
}
