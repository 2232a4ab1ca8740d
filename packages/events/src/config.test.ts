import { eventsConfig, retentionSettings } from './config';

describe('retention settings', () => {
  const DAY = 24 * 3600_000;

  it('keeps relayed outbox rows and dead letters 7 days, and records of applied events 14', () => {
    expect(retentionSettings(eventsConfig.read({}))).toMatchObject({
      outboxMs: 7 * DAY,
      deadLetterMs: 7 * DAY,
      processedMs: 14 * DAY,
    });
  });

  it('refuses a redelivery horizon no longer than the dead-letter retention', () => {
    const unfit = eventsConfig.read({
      BAEDAL_DEAD_LETTER_RETENTION_MS: String(10 * DAY),
      BAEDAL_PROCESSED_EVENT_RETENTION_MS: String(10 * DAY),
    });
    expect(() => retentionSettings(unfit)).toThrow(/BAEDAL_PROCESSED_EVENT_RETENTION_MS .* must be longer than/);
    const fit = eventsConfig.read({
      BAEDAL_DEAD_LETTER_RETENTION_MS: '2000',
      BAEDAL_PROCESSED_EVENT_RETENTION_MS: '3000',
    });
    expect(retentionSettings(fit)).toMatchObject({ deadLetterMs: 2000, processedMs: 3000 });
  });
});
