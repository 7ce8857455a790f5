// The Prometheus text exposition (version 0.0.4) that GET /metrics answers,
// read into samples the operator's page charts: families with their HELP and
// TYPE, samples with their labels and value. Also the sums the page shows
// (requests by status code, transactions by infno and outcome) and a
// histogram's approximate quantile.

// One sample line: name{labels} value [timestamp].
const kSample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?$/;

function parseValue(text) {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const v = Number(text);
  if (Number.isNaN(v)) throw new SyntaxError(`not a sample value: ${text}`);
  return v;
}

// The labels of `{a="x",b="y \"q\""}`'s inside, unescaping \\ \" and \n.
export function parseLabels(text) {
  const labels = {};
  let i = 0;
  while (i < text.length) {
    while (text[i] === ',' || text[i] === ' ') i++;
    if (i >= text.length) break;
    const eq = text.indexOf('=', i);
    if (eq < 0 || text[eq + 1] !== '"') throw new SyntaxError(`bad labels: {${text}}`);
    const name = text.slice(i, eq).trim();
    let j = eq + 2;
    let value = '';
    while (j < text.length && text[j] !== '"') {
      if (text[j] === '\\' && j + 1 < text.length) {
        const c = text[j + 1];
        value += c === 'n' ? '\n' : c;
        j += 2;
      } else {
        value += text[j++];
      }
    }
    if (text[j] !== '"') throw new SyntaxError(`unterminated label value: {${text}}`);
    labels[name] = value;
    i = j + 1;
  }
  return labels;
}

// { families: Map(name -> {name, type, help}), samples: [{name, labels,
// value}] }. A histogram's _bucket/_sum/_count samples keep their own
// names and belong to the family without the suffix.
export function parseMetrics(text) {
  const families = new Map();
  const samples = [];
  const family = (name) => {
    if (!families.has(name)) families.set(name, { name, type: 'untyped', help: '' });
    return families.get(name);
  };
  for (const raw of String(text).split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)\s*(.*)$/.exec(line);
      if (m) {
        if (m[1] === 'HELP') family(m[2]).help = m[3].replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
        else family(m[2]).type = m[3];
      }
      continue;
    }
    const m = kSample.exec(line);
    if (!m) throw new SyntaxError(`not a sample line: ${line}`);
    samples.push({ name: m[1], labels: m[3] ? parseLabels(m[3]) : {}, value: parseValue(m[4]) });
  }
  return { families, samples };
}

// The sum of a metric's samples grouped by one label's value (or by a
// function of the labels): [{key, value}] in order of first appearance.
export function sumBy(samples, name, label) {
  const out = new Map();
  for (const s of samples) {
    if (s.name !== name) continue;
    const key = typeof label === 'function' ? label(s.labels) : s.labels[label] ?? '';
    out.set(key, (out.get(key) || 0) + s.value);
  }
  return Array.from(out, ([key, value]) => ({ key, value }));
}

// One sample's value (the first whose labels include `labels`), or null.
export function valueOf(samples, name, labels = {}) {
  const s = samples.find(
    (x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v),
  );
  return s ? s.value : null;
}

// The q-quantile (0..1) of a histogram summed over every label set but
// `le`, by linear interpolation inside the bucket that holds it (as
// Prometheus' histogram_quantile): null without observations.
export function histogramQuantile(samples, name, q) {
  const buckets = new Map();
  for (const s of samples) {
    if (s.name !== `${name}_bucket`) continue;
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    buckets.set(le, (buckets.get(le) || 0) + s.value);
  }
  const bounds = Array.from(buckets.keys()).sort((a, b) => a - b);
  if (bounds.length === 0) return null;
  const total = buckets.get(bounds[bounds.length - 1]);
  if (!total) return null;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (const b of bounds) {
    const count = buckets.get(b);
    if (count >= rank) {
      if (b === Infinity) return prevBound; // beyond the last finite bound
      if (count === prevCount) return b;
      return prevBound + ((b - prevBound) * (rank - prevCount)) / (count - prevCount);
    }
    prevBound = b;
    prevCount = count;
  }
  return prevBound;
}
