import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { freePort, listenerOwnedBy, ServiceProcesses, SERVICES } from './service-processes';

describe('listenerOwnedBy: whose is the socket listening on a port', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('given this process listening on a port, then it is this process’s and not another’s', async () => {
    expect(listenerOwnedBy(port, process.pid)).toBe(true);
    const other = spawn('sleep', ['5']);
    try {
      expect(listenerOwnedBy(port, other.pid!)).toBe(false);
    } finally {
      other.kill();
    }
  });

  it('given nothing listening on a port, then it is nobody’s', async () => {
    expect(listenerOwnedBy(await freePort(), process.pid)).toBe(false);
  });
});

describe('ServiceProcesses.allocatePorts', () => {
  it('gives every service its own free port below the kernel’s ephemeral range', async () => {
    const procs = new ServiceProcesses({ logDir: tmpdir() } as never);
    await procs.allocatePorts();
    const ports = SERVICES.map((s) => procs.ports.get(s)!);
    expect(new Set(ports).size).toBe(SERVICES.length);
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    expect(ports.every((p) => p >= 1024 && p < low)).toBe(true);
  });
});
