import { createPluginHost } from '../services/plugins/index.ts';
const h = await createPluginHost({ backend: 'wasm', pluginList: '' });
console.log(h.errors.map(e => e.message));
await h.close();
