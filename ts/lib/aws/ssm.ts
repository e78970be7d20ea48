import {
  DescribeParametersCommand,
  GetParametersCommand,
  GetParameterCommand,
  ListTagsForResourceCommand,
  GetParameterHistoryCommand,
  type SSMClient,
  type ParameterMetadata,
  type Parameter,
  type ParameterStringFilter,
  type Tag,
} from '@aws-sdk/client-ssm';
import { awsErrorCode } from '../support/index.js';

/** Narrow SSM reads the collector needs; everything else in the SDK stays out of the engine. */
export interface SsmReader {
  describePage(filters: ParameterStringFilter[], nextToken?: string): Promise<{ items: ParameterMetadata[]; nextToken?: string }>;
  getBatch(names: string[]): Promise<{ found: Parameter[]; invalid: string[] }>;
  getOne(name: string): Promise<Parameter | undefined>;
  describeOne(name: string): Promise<ParameterMetadata | undefined>;
  tags(name: string): Promise<Tag[]>;
  /**
   * Labels on one version of a parameter (GetParameterHistory, 50 versions a page, oldest first, values not decrypted);
   * `undefined` when that version is no longer in the history. The only general way to read labels: DescribeParameters
   * returns none, and GetParametersByPath's Label filter needs the label names in advance.
   */
  labels(name: string, version: number): Promise<string[] | undefined>;
}

export function ssmReader(client: SSMClient): SsmReader {
  return {
    async describePage(filters, nextToken) {
      const out = await client.send(
        new DescribeParametersCommand({ ParameterFilters: filters.length ? filters : undefined, MaxResults: 50, NextToken: nextToken }),
      );
      return { items: out.Parameters ?? [], nextToken: out.NextToken };
    },
    async getBatch(names) {
      const out = await client.send(new GetParametersCommand({ Names: names, WithDecryption: true }));
      return { found: out.Parameters ?? [], invalid: out.InvalidParameters ?? [] };
    },
    async getOne(name) {
      try {
        return (await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter;
      } catch (err) {
        if (awsErrorCode(err) === 'ParameterNotFound') return undefined;
        throw err;
      }
    },
    async describeOne(name) {
      // Every page: AWS may answer a filtered listing with an empty page and a NextToken (API reference of
      // DescribeParameters: "can be between zero and the value of MaxResults"; aws-sdk-ruby #2012, boto3 #1632).
      let token: string | undefined;
      do {
        const out = await client.send(
          new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [name] }], MaxResults: 50, NextToken: token }),
        );
        const hit = out.Parameters?.find((p) => p.Name === canonicalName(name));
        if (hit) return hit;
        token = out.NextToken || undefined;
      } while (token);
      return undefined;
    },
    async tags(name) {
      const out = await client.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name }));
      return out.TagList ?? [];
    },
    async labels(name, version) {
      let token: string | undefined;
      do {
        const out = await client.send(new GetParameterHistoryCommand({ Name: name, WithDecryption: false, MaxResults: 50, NextToken: token }));
        const hit = out.Parameters?.find((h) => h.Version === version);
        if (hit) return hit.Labels ?? [];
        token = out.NextToken || undefined;
      } while (token);
      return undefined;
    },
  };
}

/**
 * One spelling for a single-level name: `app` and `/app` are one parameter with one ARN `...:parameter/app`
 * (PutParameter's API reference requires the slash only "for parameters in a hierarchy"; moto's
 * `ParameterDict.normalize_name` keys them alike), and the service may answer with either spelling.
 */
export function canonicalName(name: string): string {
  return name.startsWith('/') && !name.includes('/', 1) ? name.slice(1) : name;
}

/** DescribeParameters filters for a recursive path and an optional name substring. */
export function selectionFilters(path: string, nameContains?: string): ParameterStringFilter[] {
  const filters: ParameterStringFilter[] = [];
  if (path && path !== '/') filters.push({ Key: 'Path', Option: 'Recursive', Values: [path.replace(/\/+$/, '') || '/'] });
  if (nameContains) filters.push({ Key: 'Name', Option: 'Contains', Values: [nameContains] });
  return filters;
}
