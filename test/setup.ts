import nock from 'nock';
import { afterEach } from 'vitest';

// NOTE: tests may only reach servers they start themselves on loopback; every other host is intercepted by nock.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);

afterEach(() => {
  nock.cleanAll();
});
