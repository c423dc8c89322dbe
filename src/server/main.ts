// Entry point of the language server bundle (dist/server.cjs). Editors start it with a transport
// argument; run by hand without one, it says how to start it instead of failing with a stack trace.
import { startServer } from './server';

const TRANSPORTS = ['--stdio', '--node-ipc', '--socket=', '--pipe='];

if (process.argv.some((arg) => TRANSPORTS.some((t) => arg.startsWith(t)))) {
  startServer();
} else {
  process.stderr.write('resnet-studio language server: pass a transport, e.g. --stdio or --node-ipc\n');
  process.exitCode = 2;
}
