import { EventPublisher, type EventConsumerOptions, type NatsLink } from '@app/messaging';
import { openLink, openProbePair, type ProbePair } from '@test/support/messaging/probe-consumer';
import { dropDatabase, dropNamespace, freshDatabase, freshNamespace, natsUrl } from './int-env';

export interface ProbePairs {
  /** A producer/consumer pair of its own (fresh namespace and schemas) in the file's database. */
  setUp(label: string, consumer?: Partial<EventConsumerOptions>): Promise<ProbePair>;
  readonly link: NatsLink;
  readonly publisher: EventPublisher;
}

/**
 * For a test file of outbox/consumer pairs: one database and one NATS link for the file (made in beforeAll,
 * cleared with every pair's namespace in afterAll) and a pair per test.
 */
export function useProbePairs(label: string, options: { poolSize?: number } = {}): ProbePairs {
  let dbUrl = '';
  let link: NatsLink | null = null;
  let publisher: EventPublisher | null = null;
  const pairs: ProbePair[] = [];

  beforeAll(async () => {
    dbUrl = await freshDatabase(label);
    link = await openLink(natsUrl(), `${label}-int`);
    publisher = new EventPublisher(link);
  });
  afterAll(async () => {
    for (const p of pairs) await p.close();
    await link?.close();
    for (const p of pairs) await dropNamespace(p.namespace).catch(() => undefined);
    if (dbUrl) await dropDatabase(dbUrl).catch(() => undefined);
  }, 60_000);

  return {
    async setUp(pairLabel: string, consumer?: Partial<EventConsumerOptions>): Promise<ProbePair> {
      const pub = publisher!;
      const pair = await openProbePair({
        dbUrl,
        link: link!,
        namespace: freshNamespace(pairLabel),
        label: pairLabel,
        poolSize: options.poolSize,
        publish: (s, e, subjectSeq) => pub.publishSerialized(s, e, { subjectSeq }),
        consumer,
      });
      pairs.push(pair);
      return pair;
    },
    get link() {
      return link!;
    },
    get publisher() {
      return publisher!;
    },
  };
}
