// Imported first by start.ts and stackProcess.ts: the AWS SDK reads this when its modules load, and without it
// prints a warning about Node 20 support on every start.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
export {};
