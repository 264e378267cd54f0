#!/usr/bin/env node
// `lumenlink-exchange-emulator`: the exchange emulator CLI (docs/emulator.md). This launcher is
// committed beside the sources so that installing the workspace links the command before the
// build; the CLI itself is dist/testing/cli.js.
const built = new URL('../dist/testing/cli.js', import.meta.url);
const cli = await import(built.href).catch((error) => {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || error.url !== built.href) throw error;
  console.error(
    'lumenlink-exchange-emulator: dist/ is missing; build it first: pnpm turbo run build --filter=@lumenlink/exchanges',
  );
  process.exit(1);
});
cli.emulatorMain(process.argv.slice(2));
