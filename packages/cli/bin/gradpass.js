#!/usr/bin/env node
import { main } from '../dist/main.js';

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => {
    console.error(`gradpass：内部错误 INTERNAL_ERROR：${err && err.stack ? err.stack : err}`);
    process.exitCode = 3;
  },
);
