// A backend provider knows how to make one tfjs backend available on this host. `initEngine`
// walks a small registry of them, so another backend drops in with one `registerBackendProvider`.
export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
export type BackendPreference = 'auto' | BackendName;

export interface BackendProvider {
  name: BackendName;
  /** Order tried by 'auto' (lower first); null = only used when asked for by name. */
  autoPriority: number | null;
  /** Registers the backend with tfjs; throws (one-line message) when this host cannot run it. */
  load(): Promise<void>;
}

const providers = new Map<BackendName, BackendProvider>();

export function registerBackendProvider(provider: BackendProvider): void {
  providers.set(provider.name, provider);
}

export function getBackendProvider(name: BackendName): BackendProvider | undefined {
  return providers.get(name);
}

export function autoProviders(): BackendProvider[] {
  return [...providers.values()]
    .filter((p) => p.autoPriority != null)
    .sort((a, b) => (a.autoPriority as number) - (b.autoPriority as number));
}

export function providerNames(): BackendName[] {
  return [...providers.keys()];
}
