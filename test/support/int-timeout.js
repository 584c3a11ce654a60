// Real PostgreSQL and NATS on a 2-core machine: hooks that boot a service need more than jest's 5 s.
jest.setTimeout(120_000);
