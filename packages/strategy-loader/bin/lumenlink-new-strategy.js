#!/usr/bin/env node
// `lumenlink-new-strategy`: a strategy file and its test from the template. This launcher is
// committed beside the sources so that installing the workspace links the command before the
// build; the CLI itself is dist/new-strategy-cli.js.
const built = new URL('../dist/new-strategy-cli.js', import.meta.url);
await import(built.href).catch((error) => {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || error.url !== built.href) throw error;
  console.error(
    'lumenlink-new-strategy: dist/ is missing; build it first: pnpm turbo run build --filter=@lumenlink/strategy-loader',
  );
  process.exit(1);
});
