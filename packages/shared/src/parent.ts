/**
 * Under `npm start`'s supervisor (scripts/supervise.ts), which talks to its processes over an IPC channel:
 * when the supervisor is gone (killed with -9, say), stop as on SIGTERM instead of running on as an orphan
 * that holds the port. Without a channel (a container, a test, systemd) this does nothing.
 */
export function onParentGone(stop: () => void): void {
  if (!process.channel) return;
  process.channel.unref(); // the channel alone must not keep the process alive
  process.once('disconnect', stop);
}
