import { Gauge, Registry } from 'prom-client';
import { refreshScrapeSamples, sampleOnScrape, scrapeSampleFailures } from './metrics';

describe('scrape-time samplers', () => {
  const registry = new Registry();
  const gauge = new Gauge({ name: 'test_sampled', help: 'a sampled value', registers: [registry] });
  const failures = async (name: string) => (await scrapeSampleFailures.get()).values.find((v) => v.labels.sampler === name)?.value;
  const unregister: Array<() => void> = [];
  afterEach(() => unregister.splice(0).forEach((remove) => remove()));

  it('refreshes gauges before a scrape, and runs nothing once removed', async () => {
    let reads = 0;
    unregister.push(sampleOnScrape('counter', async () => gauge.set(++reads)));
    await refreshScrapeSamples();
    await refreshScrapeSamples();
    expect((await gauge.get()).values[0].value).toBe(2);
    unregister.splice(0).forEach((remove) => remove());
    await refreshScrapeSamples();
    expect(reads).toBe(2);
  });

  it('answers after waitMs with the last values while a slow read goes on, which the next scrape shows', async () => {
    let release!: () => void;
    gauge.set(1);
    unregister.push(sampleOnScrape('slow', () => new Promise<void>((resolve) => (release = () => (gauge.set(2), resolve())))));
    await refreshScrapeSamples({ waitMs: 20 });
    expect((await gauge.get()).values[0].value).toBe(1);
    release();
    await refreshScrapeSamples({ waitMs: 20 });
    expect((await gauge.get()).values[0].value).toBe(2);
  });

  it('counts a read that fails or outlives its timeout, and keeps the others', async () => {
    gauge.set(0);
    unregister.push(
      sampleOnScrape('failing', async () => Promise.reject(new Error('no broker'))),
      sampleOnScrape('hanging', () => new Promise<void>(() => undefined)),
      sampleOnScrape('fine', async () => gauge.set(7)),
    );
    await refreshScrapeSamples({ waitMs: 200, timeoutMs: 50 });
    expect(await failures('failing')).toBe(1);
    expect(await failures('hanging')).toBe(1);
    expect(await failures('fine')).toBe(0);
    expect((await gauge.get()).values[0].value).toBe(7);
  });
});
