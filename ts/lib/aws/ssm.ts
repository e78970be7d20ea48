import {
  DescribeParametersCommand, GetParametersCommand, GetParameterCommand, ListTagsForResourceCommand,
  type SSMClient, type ParameterMetadata, type Parameter, type ParameterStringFilter, type Tag,
} from '@aws-sdk/client-ssm';
import { awsErrorCode } from '../errors.js';

/** Narrow SSM reads the collector needs; everything else in the SDK stays out of the engine. */
export interface SsmReader {
  describePage(filters: ParameterStringFilter[], nextToken?: string): Promise<{ items: ParameterMetadata[]; nextToken?: string }>;
  getBatch(names: string[]): Promise<{ found: Parameter[]; invalid: string[] }>;
  getOne(name: string): Promise<Parameter | undefined>;
  describeOne(name: string): Promise<ParameterMetadata | undefined>;
  tags(name: string): Promise<Tag[]>;
}

export function ssmReader(client: SSMClient): SsmReader {
  return {
    async describePage(filters, nextToken) {
      const out = await client.send(new DescribeParametersCommand({ ParameterFilters: filters.length ? filters : undefined, MaxResults: 50, NextToken: nextToken }));
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
      const out = await client.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [name] }] }));
      return out.Parameters?.find((p) => p.Name === name);
    },
    async tags(name) {
      const out = await client.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name }));
      return out.TagList ?? [];
    },
  };
}

/** DescribeParameters filters for a recursive path and an optional name substring. */
export function selectionFilters(path: string, nameContains?: string): ParameterStringFilter[] {
  const filters: ParameterStringFilter[] = [];
  if (path && path !== '/') filters.push({ Key: 'Path', Option: 'Recursive', Values: [path.replace(/\/+$/, '') || '/'] });
  if (nameContains) filters.push({ Key: 'Name', Option: 'Contains', Values: [nameContains] });
  return filters;
}
