import { NO_AD, topPlacement, type AdProduct } from './ads';

const placement = (id: string, area: string, product: AdProduct, running = true) => ({ id, area, product, running });
const isRunning = (p: { running: boolean }) => p.running;

describe('the top placement of a shop in an area', () => {
  it('is its best product running there, the first of equals', () => {
    const placements = [
      placement('open', 'GANGNAM', 'OPEN_LIST'),
      placement('ultra', 'GANGNAM', 'ULTRA_CALL'),
      placement('ultra2', 'GANGNAM', 'ULTRA_CALL'),
      placement('mapo', 'MAPO', 'ULTRA_CALL'),
    ];
    expect(topPlacement(placements, 'GANGNAM', isRunning)?.id).toBe('ultra');
    expect(topPlacement(placements.slice(0, 1), 'GANGNAM', isRunning)?.id).toBe('open');
  });

  it('ignores placements not running and other areas, and is null without one', () => {
    const placements = [placement('ultra', 'GANGNAM', 'ULTRA_CALL', false), placement('open', 'GANGNAM', 'OPEN_LIST')];
    expect(topPlacement(placements, 'GANGNAM', isRunning)?.id).toBe('open');
    expect(topPlacement(placements, 'MAPO', isRunning)).toBeNull();
  });

  it('ranks no placement below every product', () => {
    expect(NO_AD).toBe(2);
  });
});
