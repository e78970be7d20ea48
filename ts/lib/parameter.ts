import type { Parameter, ParameterMetadata, Tag } from '@aws-sdk/client-ssm';

/** One parameter as stored in backup.json: AWS API field names, the old job's shape. */
export interface BackupParameter {
  Name: string;
  Type: string;
  Value: string;
  Version?: number;
  LastModifiedDate?: string;
  LastModifiedUser?: string;
  DataType?: string;
  Description?: string;
  KeyId?: string;
  Tier?: string;
  AllowedPattern?: string;
  Policies?: { PolicyText?: string; PolicyType?: string; PolicyStatus?: string }[];
  Tags?: Tag[];
  /** Labels on this version (LabelParameterVersion), sorted; absent when none or not backed up (--include-labels). */
  Labels?: string[];
  ARN?: string;
}

const iso = (d: Date | string | undefined): string | undefined => (d === undefined ? undefined : new Date(d).toISOString());

/** Merges GetParameters (value, version) with DescribeParameters (metadata). Undefined fields are dropped. */
export function mergeParameter(value: Parameter, meta: ParameterMetadata | undefined, tags?: Tag[]): BackupParameter {
  const p: BackupParameter = {
    Name: value.Name as string,
    Type: (value.Type ?? meta?.Type) as string,
    Value: value.Value ?? '',
    Version: value.Version ?? meta?.Version,
    LastModifiedDate: iso(value.LastModifiedDate ?? meta?.LastModifiedDate),
    LastModifiedUser: meta?.LastModifiedUser,
    DataType: value.DataType ?? meta?.DataType,
    Description: meta?.Description,
    KeyId: meta?.KeyId,
    Tier: meta?.Tier,
    AllowedPattern: meta?.AllowedPattern,
    Policies:
      meta?.Policies && meta.Policies.length > 0
        ? meta.Policies.map((x) => ({ PolicyText: x.PolicyText, PolicyType: x.PolicyType, PolicyStatus: x.PolicyStatus }))
        : undefined,
    Tags: tags,
    ARN: value.ARN ?? meta?.ARN,
  };
  for (const k of Object.keys(p) as (keyof BackupParameter)[]) if (p[k] === undefined) delete p[k];
  return p;
}
