/**
 * CloudWatch metrics (AWS JSON 1.0, target prefix `GraniteServiceVersion20100801`, the protocol @aws-sdk/client-cloudwatch
 * speaks): PutMetricData, and GetMetricStatistics so tests read the data points back through the API. Request bodies
 * may be gzip-encoded (the SDK compresses PutMetricData above 10 KiB: Content-Encoding gzip).
 */
import { gunzipSync } from 'node:zlib';
import { AwsError } from './types.js';

/** One stored data point. `timestamp`: epoch milliseconds. */
export interface MetricDatum {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  value: number;
  unit: string;
  timestamp: number;
}

/** StandardUnit (API reference, MetricDatum.Unit). */
const UNITS = new Set(
  (
    'Seconds Microseconds Milliseconds Bytes Kilobytes Megabytes Gigabytes Terabytes Bits Kilobits Megabits Gigabits Terabits Percent Count ' +
    'Bytes/Second Kilobytes/Second Megabytes/Second Gigabytes/Second Terabytes/Second Bits/Second Kilobits/Second Megabits/Second ' +
    'Gigabits/Second Terabits/Second Count/Second None'
  ).split(' '),
);

/**
 * Errors by their JSON shape name (`__type`), with the awsQuery code AWS sends alongside in `x-amzn-query-error`
 * (the model's awsQueryError trait; the SDK's awsQueryCompatible mode reads it).
 */
export const QUERY_ERROR_CODES: Record<string, string> = {
  InvalidParameterValueException: 'InvalidParameterValue',
  MissingRequiredParameterException: 'MissingParameter',
};
const invalid = (message: string) => new AwsError('InvalidParameterValueException', message, 400);
const missing = (name: string) => new AwsError('MissingRequiredParameterException', `The parameter ${name} must be specified.`, 400);

type Json = Record<string, unknown>;

/** The JSON body of a CloudWatch request, gunzipped when Content-Encoding says gzip. */
export function cloudWatchInput(body: Buffer, contentEncoding: string | undefined): Json {
  const raw = (contentEncoding ?? '').split(',').some((e) => e.trim() === 'gzip') ? gunzipSync(body) : body;
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8')) as Json;
  } catch {
    throw new AwsError('SerializationException', 'Request body is not valid JSON');
  }
}

/** Dimensions as a map; API reference of Dimension: Name 1-255 characters, Value 1-1024, at most 30 per metric. */
function dimensionsOf(list: unknown, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  const items = (list ?? []) as { Name?: unknown; Value?: unknown }[];
  if (!Array.isArray(items) || items.length > 30) throw invalid(`${where}.Dimensions must be a list of at most 30 dimensions`);
  for (const d of items) {
    if (typeof d.Name !== 'string' || d.Name.length < 1 || d.Name.length > 255) throw invalid(`${where}.Dimensions: Name must have 1-255 characters`);
    if (typeof d.Value !== 'string' || d.Value.length < 1 || d.Value.length > 1024) throw invalid(`${where}.Dimensions: Value must have 1-1024 characters`);
    if (d.Name in out) throw invalid(`${where}.Dimensions: ${d.Name} is given twice`);
    out[d.Name] = d.Value;
  }
  return out;
}

function checkNamespace(ns: unknown): string {
  if (ns === undefined) throw missing('Namespace');
  // API reference of PutMetricData: Namespace 1-255 characters; "AWS/" is reserved for AWS services.
  if (typeof ns !== 'string' || ns.length < 1 || ns.length > 255) throw invalid('The parameter Namespace must have 1-255 characters.');
  return ns;
}

const sameDimensions = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/** Every region's data points, in arrival order. */
export class MetricStore {
  private readonly byRegion = new Map<string, MetricDatum[]>();

  list(region: string): MetricDatum[] {
    return [...(this.byRegion.get(region) ?? [])];
  }

  clear(): void {
    this.byRegion.clear();
  }

  /** PutMetricData: validates the whole request first (nothing is stored when one datum is invalid). */
  put(region: string, input: Json, now = Date.now()): void {
    const namespace = checkNamespace(input.Namespace);
    if (namespace.startsWith('AWS/')) throw invalid('The value AWS/ for parameter Namespace is invalid.');
    const data = input.MetricData as Json[] | undefined;
    if (data === undefined) throw missing('MetricData');
    // API reference of PutMetricData: "Each request ... up to 1000 different metrics".
    if (!Array.isArray(data) || data.length < 1 || data.length > 1000) throw invalid('The parameter MetricData must hold 1-1000 members.');
    const parsed = data.map((d, i): MetricDatum => {
      const where = `MetricData.member.${i + 1}`;
      if (typeof d.MetricName !== 'string' || d.MetricName.length < 1 || d.MetricName.length > 255) throw missing(`${where}.MetricName`);
      if (d.Values !== undefined || d.StatisticValues !== undefined) throw invalid(`${where}: local-aws emulates Value only (not Values or StatisticValues)`);
      if (typeof d.Value !== 'number' || !Number.isFinite(d.Value)) throw invalid(`The value for parameter ${where}.Value is invalid.`);
      const unit = d.Unit === undefined ? 'None' : String(d.Unit);
      if (!UNITS.has(unit)) throw invalid(`The value ${unit} for parameter ${where}.Unit is not a StandardUnit.`);
      const timestamp = d.Timestamp === undefined ? now : Number(d.Timestamp) * 1000;
      // "Data points with time stamps from 24 hours ago or longer can take at least 48 hours to become available" is
      // a delay, not a refusal; CloudWatch refuses time stamps more than two weeks old or two hours ahead.
      if (!Number.isFinite(timestamp) || timestamp < now - 14 * 86400_000 || timestamp > now + 2 * 3600_000)
        throw invalid(`The parameter ${where}.Timestamp must specify a time no more than two weeks in the past and two hours in the future.`);
      return { namespace, metricName: d.MetricName, dimensions: dimensionsOf(d.Dimensions, where), value: d.Value, unit, timestamp };
    });
    const list = this.byRegion.get(region) ?? [];
    list.push(...parsed);
    this.byRegion.set(region, list);
  }

  /** GetMetricStatistics: data points of one metric (exactly these dimensions) aggregated per Period from StartTime. */
  statistics(region: string, input: Json): Json {
    const namespace = checkNamespace(input.Namespace);
    if (typeof input.MetricName !== 'string') throw missing('MetricName');
    const start = Number(input.StartTime) * 1000;
    const end = Number(input.EndTime) * 1000;
    const period = Number(input.Period);
    if (!Number.isFinite(start) || !Number.isFinite(end) || start >= end) throw invalid('The parameter StartTime must be less than the parameter EndTime.');
    if (!Number.isInteger(period) || period < 1 || (period >= 60 && period % 60 !== 0))
      throw invalid('The parameter Period must be 1, 5, 10, 30, or a multiple of 60.');
    const stats = (input.Statistics ?? []) as string[];
    if (!Array.isArray(stats) || stats.length < 1) throw missing('Statistics');
    const dims = dimensionsOf(input.Dimensions, 'Dimensions');
    const buckets = new Map<number, number[]>();
    let unit = 'None';
    for (const d of this.byRegion.get(region) ?? []) {
      if (d.namespace !== namespace || d.metricName !== input.MetricName || !sameDimensions(d.dimensions, dims) || d.timestamp < start || d.timestamp >= end)
        continue;
      const slot = start + Math.floor((d.timestamp - start) / (period * 1000)) * period * 1000;
      buckets.set(slot, [...(buckets.get(slot) ?? []), d.value]);
      unit = d.unit;
    }
    const Datapoints = [...buckets.entries()].map(([slot, values]) => {
      const sum = values.reduce((a, b) => a + b, 0);
      const all: Record<string, number> = {
        SampleCount: values.length,
        Sum: sum,
        Average: sum / values.length,
        Minimum: Math.min(...values),
        Maximum: Math.max(...values),
      };
      const point: Json = { Timestamp: slot / 1000, Unit: unit };
      for (const s of stats) {
        if (!(s in all)) throw invalid(`The value ${s} for parameter Statistics is not a statistic.`);
        point[s] = all[s];
      }
      return point;
    });
    return { Label: input.MetricName, Datapoints };
  }
}

/** One CloudWatch operation. */
export function handleCloudWatch(store: MetricStore, op: string, region: string, input: Json): Json {
  if (op === 'PutMetricData') {
    store.put(region, input);
    return {};
  }
  if (op === 'GetMetricStatistics') return store.statistics(region, input);
  throw new AwsError('UnknownOperationException', `local-aws does not emulate CloudWatch ${op}`);
}
