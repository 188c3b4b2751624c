#!/usr/bin/env node
// The `monitorch` command as npm links it. npm links a bin only when its file exists at install
// time, and dist/ is built after `npm ci`; so the bin is this committed file, which loads the
// built CLI, and a clone that was never built gets a message instead of npx asking the registry.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    `monitorch: ${fileURLToPath(cli)} is not built yet. Run \`npm run build\` (or \`npm start\`) at the ` +
      'root of the monitorch-ts clone, then try again.\n',
  );
  process.exit(1);
}
await import(cli.href);
