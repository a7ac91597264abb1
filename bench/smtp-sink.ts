/**
 * A local SMTP server for the remind benchmark's `--send` run: accepts every message and discards it.
 * Prints its port on the first line of stdout; on SIGTERM prints how many messages it took, then exits.
 */
import { SMTPServer } from 'smtp-server';

let messages = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, _session, done) {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      messages++;
      done();
    });
  },
});
server.listen(0, '127.0.0.1', () => {
  const address = server.server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => {
  process.stdout.write(`${messages}\n`);
  process.exit(0);
});
