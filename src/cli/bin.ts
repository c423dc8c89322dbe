// The `resnet-studio` executable (bundled to dist/cli.cjs): runs the command line and exits with its status.
import { main } from './main';
import { processOutput } from './output';

void main(process.argv.slice(2), processOutput).then((code) => {
  process.exitCode = code;
});
