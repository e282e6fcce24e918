// The app endpoint's HTTP protocol in one place: the URL and every header the client sends or
// reads. README.md documents the same protocol for Kotlin and Swift clients.

/** Request headers describing the device; the server uses them to pick a rollout bucket and targeting. */
export const REQUEST_HEADERS = {
  installId: 'X-Condense-Install-Id',
  platform: 'X-Condense-Platform',
  appVersion: 'X-Condense-App-Version',
  deviceClass: 'X-Condense-Device-Class',
} as const;

/** Response headers next to the ETag (the quoted SHA-256 of the body). */
export const RESPONSE_HEADERS = {
  deployment: 'X-Condense-Deployment',
  candidate: 'X-Condense-Candidate',
  /** Size of the model file itself when the body is sent gzip-compressed (Content-Length is then the compressed size). */
  decodedLength: 'X-Condense-Decoded-Length',
  /** The rollout that chose the model for this device (absent when the latest deployment was served). */
  rollout: 'X-Condense-Rollout',
} as const;

/** The device headers (REQUEST_HEADERS) for `device`; none without one. */
export function deviceHeaders(device: { installId: string; platform?: string; appVersion?: string; deviceClass?: string } | undefined): Record<string, string> {
  if (!device) return {};
  const headers: Record<string, string> = { [REQUEST_HEADERS.installId]: device.installId };
  if (device.platform) headers[REQUEST_HEADERS.platform] = device.platform;
  if (device.appVersion) headers[REQUEST_HEADERS.appVersion] = device.appVersion;
  if (device.deviceClass) headers[REQUEST_HEADERS.deviceClass] = device.deviceClass;
  return headers;
}

/** `POST <endpoint>/v1/projects/<projectId>/telemetry` with a JSON TelemetryReport. */
export function telemetryUrl(endpoint: string, projectId: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/projects/${encodeURIComponent(projectId)}/telemetry`;
}

/** `GET <endpoint>/v1/projects/<projectId>/channels/<channel>/model` */
export function modelUrl(endpoint: string, projectId: string, channel: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/projects/${encodeURIComponent(projectId)}/channels/${encodeURIComponent(channel)}/model`;
}

/** The SHA-256 hex inside an ETag such as `"ab12…"` or `W/"ab12…"`; null when it is not one. */
export function sha256FromEtag(etag: string | null): string | null {
  const match = /^(?:W\/)?"([0-9a-f]{64})"$/.exec(etag?.trim() ?? '');
  return match ? match[1]! : null;
}
