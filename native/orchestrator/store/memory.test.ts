import { MemoryStore } from './memory.ts';
import { storeConformance } from './store.conformance.ts';

storeConformance('memory', async () => {
  const store = new MemoryStore();
  return { store, cleanup: () => store.close() };
});
