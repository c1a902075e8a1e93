import { comparisonsAsBool } from './prometheus-server';

describe('comparisonsAsBool', () => {
  it('makes every comparison a bool one, leaving label matchers, ranges and bool comparisons alone', () => {
    expect(comparisonsAsBool('max(hub_dead_letter_depth) > 0')).toBe('max(hub_dead_letter_depth) > bool 0');
    expect(comparisonsAsBool('up{job="audience-hub"} == 0 or hub_ready == 0')).toBe('up{job="audience-hub"} == bool 0 or hub_ready == bool 0');
    expect(comparisonsAsBool('x{route!="/a>b",s=~"5.."} >= 1 and deriv(y[10m]) < bool 0')).toBe('x{route!="/a>b",s=~"5.."} >= bool 1 and deriv(y[10m]) < bool 0');
    expect(comparisonsAsBool('a / (sum(b) > 0)')).toBe('a / (sum(b) > bool 0)');
  });
});
