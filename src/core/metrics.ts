/**
 * The process's own metrics for /metrics (SPEC 9), in the Prometheus text format. Each module
 * declares what it counts where it counts it; operations.ts renders them all.
 */

interface Metric {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  lines(): string[];
}

const metrics = new Map<string, Metric>();

function labelText(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`).join(',')}}`;
}

export interface Counter {
  add(labels?: Record<string, string>, by?: number): void;
  value(labels?: Record<string, string>): number;
}

/** A counter that only goes up, optionally split by labels. */
export function counter(name: string, help: string): Counter {
  const values = new Map<string, number>();
  metrics.set(name, { name, help, type: 'counter', lines: () => [...values].map(([labels, n]) => `${name}${labels} ${n}`) });
  return {
    add(labels = {}, by = 1) {
      const key = labelText(labels);
      values.set(key, (values.get(key) ?? 0) + by);
    },
    value: (labels = {}) => values.get(labelText(labels)) ?? 0,
  };
}

/** A value read when /metrics is asked. */
export function gauge(name: string, help: string, read: () => number): void {
  metrics.set(name, { name, help, type: 'gauge', lines: () => [`${name} ${read()}`] });
}

export function renderMetrics(): string[] {
  return [...metrics.values()].flatMap((m) => [`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`, ...m.lines()]);
}
