import type { Middleware } from '../middleware/types';
import { dedupMiddleware } from './middleware';
import type { DedupStore } from './store';

// Compile-time check (tsc): the dedup middleware plugs into the runtime's chain as is.
function asRuntimeMiddleware(store: DedupStore): Middleware {
  return dedupMiddleware(store);
}

test('dedupMiddleware is a runtime Middleware (checked by tsc)', () => {
  expect(typeof asRuntimeMiddleware).toBe('function');
});
