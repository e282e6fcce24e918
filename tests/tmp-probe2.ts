import { sandboxCommand } from '../services/plugins/sandbox.ts';
console.log(JSON.stringify(sandboxCommand({ entry: '/E.mjs', args: ['cold','cpu'], readPaths: ['/work/wt/security/tests/fixtures/plugins/throws.ts'], scratchDir: '/tmp/S', heapLimitMb: 256, cpuSeconds: 60, maxFileBytes: 1000 })));
