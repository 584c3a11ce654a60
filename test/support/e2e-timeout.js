// Services started as processes: a test may wait minutes for them.
jest.setTimeout(300_000);
