#!/usr/bin/env node
// The `remote-pop-provision` package bin (also installed as `remote-pop-vendor`, its former name): run the TypeScript CLI through tsx's CommonJS loader, no build step.
'use strict';
require('tsx/cjs');
const { run } = require('./main.ts');

run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
