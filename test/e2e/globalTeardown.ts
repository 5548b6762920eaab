/** Stops the e2e local stack started by globalSetup; nothing is left running. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__REMOTE_POP_E2E_STACK__?.stop();
  globalThis.__REMOTE_POP_E2E_STACK__ = undefined;
}
