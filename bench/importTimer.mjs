// Run in a fresh Node process: `node bench/importTimer.mjs <file>`; prints the milliseconds the import took
// (module initialisation: parse, compile, run the module's top level) measured with process.hrtime.
const file = process.argv[2];
const started = process.hrtime.bigint();
await import(new URL(`file://${file}`).href);
const ms = Number(process.hrtime.bigint() - started) / 1e6;
process.stdout.write(`${ms}\n`);
