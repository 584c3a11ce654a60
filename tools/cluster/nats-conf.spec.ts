import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEPLOY_NATS_IMAGE, NATS_NODE_SETTINGS, deployNodeConf, natsNodeConf, unsupportedSettings, versionAtLeast } from './nats-conf';

const ROOT = join(__dirname, '..', '..');

describe('the JetStream node files', () => {
  it.each([1, 2, 3])('deploy/nats/nats-%i.conf is the generator’s output (edit tools/cluster/nats-conf.ts, then regenerate)', (i) => {
    expect(readFileSync(join(ROOT, 'deploy', 'nats', `nats-${i}.conf`), 'utf8')).toBe(deployNodeConf(i));
  });

  it('deploy fsyncs every write and runs a nats-server that knows how', () => {
    expect(deployNodeConf(1)).toContain('sync_interval: always');
    const compose = readFileSync(join(ROOT, 'deploy', 'docker-compose.cluster.yml'), 'utf8');
    expect(compose).toContain(`image: ${DEPLOY_NATS_IMAGE}`);
    expect(versionAtLeast(DEPLOY_NATS_IMAGE.split(':')[1], NATS_NODE_SETTINGS.syncIntervalSince)).toBe(true);
    expect(compose).toContain(`NATS_STREAM_REPLICAS: "${NATS_NODE_SETTINGS.streamReplicas}"`);
  });

  it('leaves out, and says so, what an older nats-server does not know (the local 2.9.10)', () => {
    expect(unsupportedSettings('2.9.10')).toEqual([expect.stringContaining('sync_interval: always')]);
    expect(unsupportedSettings('2.10.23')).toEqual([]);
    expect(unsupportedSettings('2.11.0')).toEqual([]);
    const local = natsNodeConf({
      index: 2,
      clientListen: '127.0.0.1:1',
      httpListen: '127.0.0.1:2',
      storeDir: '/tmp/x',
      routeListen: '127.0.0.1:3',
      routeAdvertise: '127.0.0.1:4',
      routes: ['nats-route://127.0.0.1:4'],
      version: '2.9.10',
    });
    expect(local).not.toMatch(/^\s*sync_interval/m);
    // Everything else is deploy's: the same cluster name, limits and lame-duck time.
    for (const line of ['name: bluezone', 'max_file_store: 50GB', 'max_memory_store: 1GB', 'lame_duck_duration: 30s'])
      expect(local).toContain(line);
    expect(local).toContain('advertise: 127.0.0.1:4');
  });

  it('compares versions numerically', () => {
    expect(versionAtLeast('2.10.23', '2.10.23')).toBe(true);
    expect(versionAtLeast('2.10.9', '2.10.23')).toBe(false);
    expect(versionAtLeast('2.9.10', '2.10.23')).toBe(false);
    expect(versionAtLeast('3.0.0', '2.10.23')).toBe(true);
  });
});
