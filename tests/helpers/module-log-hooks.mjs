// Module hooks (node:module register) that report the URL of every module loaded in this
// process to the thread that registered them (tests/helpers/module-log.ts).
let port;

export function initialize(data) {
  port = data.port;
}

export async function load(url, context, nextLoad) {
  port.postMessage(url);
  return nextLoad(url, context);
}
