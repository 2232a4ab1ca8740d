import { isRunning, placementIn } from './placement';

const now = new Date('2026-11-24T12:00:00Z');
const day = 24 * 3600 * 1000;
interface Campaign {
  id: string;
  area: string;
  product: 'ULTRA_CALL' | 'OPEN_LIST';
  status: 'SCHEDULED' | 'ACTIVE' | 'ENDED';
  startsAt: Date;
  endsAt: Date;
}
const campaign = (over: Partial<Campaign> = {}): Campaign => ({
  id: 'c',
  area: 'GANGNAM',
  product: 'OPEN_LIST',
  status: 'ACTIVE',
  startsAt: new Date(now.getTime() - day),
  endsAt: new Date(now.getTime() + day),
  ...over,
});

describe('ad placement', () => {
  it('runs only while ACTIVE and inside its period', () => {
    expect(isRunning(campaign(), now)).toBe(true);
    expect(isRunning(campaign({ status: 'SCHEDULED' }), now)).toBe(false);
    expect(isRunning(campaign({ endsAt: now }), now)).toBe(false);
    expect(isRunning(campaign({ startsAt: new Date(now.getTime() + 1) }), now)).toBe(false);
  });

  it('places a shop by its best running campaign in the area', () => {
    const open = campaign({ id: 'open' });
    const ultra = campaign({ id: 'ultra', product: 'ULTRA_CALL' });
    const elsewhere = campaign({ id: 'mapo', area: 'MAPO', product: 'ULTRA_CALL' });
    expect(placementIn([open, ultra, elsewhere], 'GANGNAM', now)?.id).toBe('ultra');
    expect(placementIn([open], 'MAPO', now)).toBeNull();
  });
});
