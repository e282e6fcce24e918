// Worker entry: worker threads do not inherit the parent's tsx loader, so register it here
// before loading the TypeScript worker and the plugin modules it imports.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
