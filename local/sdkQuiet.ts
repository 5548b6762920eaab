// Imported first by start.ts: the SDK checks this when its modules load (FACTS.md: Node 20 support warning).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
export {};
