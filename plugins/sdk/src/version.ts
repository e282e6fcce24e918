// The version of the host API this SDK describes. A plugin states the range it needs in
// `manifest.sdk`; the host refuses plugins whose range this version does not satisfy.
// Kept equal to this package's own version (a test checks it).
export const SDK_VERSION = '1.7.0';
