// Loopback helpers shared by the test folders.
import net from 'node:net';

/** A loopback port nothing listens on: bound, then released ("connection refused", or a server that comes back later). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts `server` on an ephemeral loopback port; resolves with the port and its http:// URL. */
export async function listenLoopback(server: net.Server): Promise<{ port: number; url: string }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, url: `http://127.0.0.1:${port}` };
}
