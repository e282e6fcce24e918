// SHA-256 with WebCrypto (browsers, Node ≥ 19, Deno, Bun). Platforms without `crypto.subtle`
// (e.g. React Native) pass their own `hash` function in GetModelOptions.

export type HashFunction = (bytes: Uint8Array) => Promise<string>;

export const webCryptoSha256: HashFunction = async (bytes) => {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error('crypto.subtle is not available here; pass a `hash` function (SHA-256, hex) in the options');
  const digest = await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
};
