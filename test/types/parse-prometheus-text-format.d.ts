declare module 'parse-prometheus-text-format' {
  interface Sample {
    value?: string;
    labels?: Record<string, string>;
    buckets?: Record<string, string>;
    count?: string;
    sum?: string;
  }
  /** prom2json's shape: one family per metric name. */
  export default function parse(text: string): Array<{ name: string; help: string; type: string; metrics: Sample[] }>;
}
