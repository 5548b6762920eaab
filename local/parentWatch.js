// Preloaded (`node -r`) into emulator child processes: the parent holds the child's stdin open, so when the parent
// dies in any way (even SIGKILL) stdin ends and the child exits too. No orphan emulators.
'use strict';
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
