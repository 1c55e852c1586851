import { describe, expect, it } from 'vitest';
import { ScreeningService, staticSource } from '../../src/screening/service.js';
import { fixtureEntities } from './helpers.js';

describe('screening service', () => {
  it('builds the index once and rebuilds it when the source signature changes', async () => {
    const all = fixtureEntities();
    let signature = 'v1';
    let entities = all.filter((e) => e.datasets?.includes('un_sc'));
    const service = new ScreeningService({ signature: async () => signature, load: async () => entities });
    const first = await service.index();
    expect(await service.index()).toBe(first);
    expect(await service.refreshIfChanged()).toBe(false);
    expect((await service.screenVessel({ imo: '7937317' })).length).toBe(0);
    signature = 'v2';
    entities = all;
    expect(await service.refreshIfChanged()).toBe(true);
    expect(service.info()?.signature).toBe('v2');
    expect(service.info()!.entities).toBeGreaterThan(first.size);
  });

  it('screenVessel and screenAddress flag listed ships and wallets for other modules', async () => {
    const service = new ScreeningService(staticSource(fixtureEntities()));
    const byImo = await service.screenVessel({ imo: 7937317, mmsi: 445123456 });
    expect(byImo[0]).toMatchObject({ id: 'ofac-17069', caption: 'CHONG CHON GANG', match: true });
    expect(byImo[0]!.explanations.imo_match!.detail).toBe('IMO 7937317 on both');
    const byName = await service.screenVessel({ name: 'Chong Chon Gang' });
    expect(byName.map((r) => r.id)).toContain('ofac-17069');
    expect(await service.screenVessel({ imo: '7937318' })).toEqual([]); // bad check digit: not an IMO number
    const wallet = await service.screenAddress('0x098B716B8Aaf21512996dC57EB0615e2383E2f96');
    expect(wallet.map((r) => r.id)).toEqual(['wallet-eth-0x098b716b8aaf21512996dc57eb0615e2383e2f96']);
    expect(await service.screenAddress('0x0000000000000000000000000000000000000001')).toEqual([]);
  });
});
