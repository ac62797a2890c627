import net from 'node:net';

/** A TCP port free on loopback right now (for a server a test starts as its own process). */
export const free = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
