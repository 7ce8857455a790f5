import { describe, expect, test } from 'vitest';
import { histogramQuantile, parseLabels, parseMetrics, sumBy, valueOf } from './metrics.js';

// A part of what GET /metrics answers (src/http/metrics.cc).
const text = `# HELP xt_http_requests_total HTTP requests answered, by route and status code.
# TYPE xt_http_requests_total counter
xt_http_requests_total{route="/fsi/api/callService",code="200"} 120
xt_http_requests_total{route="/fsi/api/callService",code="401"} 3
xt_http_requests_total{route="/healthz",code="200"} 7
# HELP xt_http_request_duration_seconds Time from a request's headers being read to its answer being written, by route.
# TYPE xt_http_request_duration_seconds histogram
xt_http_request_duration_seconds_bucket{route="/healthz",le="0.00025"} 0
xt_http_request_duration_seconds_bucket{route="/healthz",le="0.0005"} 50
xt_http_request_duration_seconds_bucket{route="/healthz",le="0.001"} 100
xt_http_request_duration_seconds_bucket{route="/healthz",le="+Inf"} 100
xt_http_request_duration_seconds_sum{route="/healthz"} 0.05
xt_http_request_duration_seconds_count{route="/healthz"} 100
# TYPE xt_transactions_total counter
xt_transactions_total{infno="2207",outcome="ok"} 40
xt_transactions_total{infno="2207",outcome="refused"} 2
xt_transactions_total{infno="9001",outcome="ok"} 5
xt_http_requests_in_flight 1
`;

describe('parseMetrics', () => {
  test('families, samples and labels', () => {
    const { families, samples } = parseMetrics(text);
    expect(families.get('xt_http_requests_total').type).toBe('counter');
    expect(families.get('xt_http_request_duration_seconds').type).toBe('histogram');
    expect(families.get('xt_http_requests_total').help).toMatch(/by route/);
    expect(samples).toHaveLength(13);
    expect(valueOf(samples, 'xt_http_requests_total', { route: '/healthz' })).toBe(7);
    expect(valueOf(samples, 'xt_http_requests_in_flight')).toBe(1);
    expect(valueOf(samples, 'xt_nothing')).toBe(null);
  });
  test('sums by a label', () => {
    const { samples } = parseMetrics(text);
    expect(sumBy(samples, 'xt_http_requests_total', 'code')).toEqual([
      { key: '200', value: 127 },
      { key: '401', value: 3 },
    ]);
    expect(sumBy(samples, 'xt_transactions_total', (l) => `${l.infno} ${l.outcome}`)).toHaveLength(3);
  });
  test('escaped label values and special values', () => {
    expect(parseLabels('a="x\\"y",b="1\\\\2",c="l\\n2"')).toEqual({ a: 'x"y', b: '1\\2', c: 'l\n2' });
    const { samples } = parseMetrics('m{le="+Inf"} +Inf\nn NaN\n');
    expect(samples[0].value).toBe(Infinity);
    expect(Number.isNaN(samples[1].value)).toBe(true);
  });
  test('a line that is not the format is refused, not skipped', () => {
    expect(() => parseMetrics('xt_a{route="x"}\n')).toThrow(SyntaxError);
    expect(() => parseMetrics('xt_a{route="x} 1\n')).toThrow(SyntaxError);
  });
});

describe('histogramQuantile', () => {
  test('interpolates inside the bucket', () => {
    const { samples } = parseMetrics(text);
    // 50 of 100 at or below 0.5 ms; the 75th in the middle of 0.5..1 ms
    expect(histogramQuantile(samples, 'xt_http_request_duration_seconds', 0.5)).toBeCloseTo(0.0005, 9);
    expect(histogramQuantile(samples, 'xt_http_request_duration_seconds', 0.75)).toBeCloseTo(0.00075, 9);
    expect(histogramQuantile(samples, 'xt_none', 0.5)).toBe(null);
  });
});
