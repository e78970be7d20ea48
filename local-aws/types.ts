/** Shared types of the local AWS emulator. */

export interface LocalAwsOptions {
  /** Milliseconds added before every AWS answer (not admin answers). */
  latencyMs?: number;
  /** Token-bucket TPS per region for GetParameter/GetParameters/GetParametersByPath (shared). */
  getTps?: number;
  /** Token-bucket TPS per region for DescribeParameters. */
  describeTps?: number;
  /** Token-bucket TPS per region for PutParameter. */
  putTps?: number;
  /** Token-bucket TPS per region for ListTagsForResource/AddTagsToResource/RemoveTagsFromResource. */
  tagTps?: number;
  /** Token-bucket TPS per region for Resource Groups Tagging API GetResources. */
  getResourcesTps?: number;
  /** Token-bucket TPS per region for LabelParameterVersion/UnlabelParameterVersion. */
  labelTps?: number;
  /** Token-bucket TPS per region for GetParameterHistory. */
  historyTps?: number;
  /** Caps every page (DescribeParameters, GetParametersByPath, GetParameterHistory, GetResources) below MaxResults. */
  pageSize?: number;
  /** Caps GetResources pages instead of `pageSize` (e.g. 10-item DescribeParameters pages beside 100-item GetResources pages). */
  resourcesPageSize?: number;
  /** Page over the unfiltered set, then filter each page (AWS behaviour: sparse or empty pages with a NextToken). */
  filterAfterPaging?: boolean;
  /** A filtered DescribeParameters without NextToken answers no items and a token (aws-sdk-ruby #2012, boto3 #1632). */
  emptyFirstPage?: boolean;
  /** Account id reported by STS, used in ARNs and as the default S3 bucket owner (default 123456789012). */
  accountId?: string;
  /**
   * Plays an S3-compatible store that predates S3's flexible checksums: an S3 request carrying `x-amz-checksum-*`,
   * `x-amz-sdk-checksum-algorithm` or an `x-amz-trailer` → 400 InvalidArgument (not AWS behaviour).
   */
  refuseChecksums?: boolean;
}

export type ParameterType = 'String' | 'StringList' | 'SecureString';

export interface Tag {
  Key: string;
  Value: string;
}

export interface SeedParameter {
  Name: string;
  Value: string;
  Type?: ParameterType;
  KeyId?: string;
  Description?: string;
  AllowedPattern?: string;
  Tier?: string;
  DataType?: string;
  Policies?: string;
  Tags?: Tag[];
}

export interface ParameterPolicy {
  PolicyText: string;
  PolicyType: string;
  PolicyStatus: string;
}

export interface StoredParameter {
  Name: string;
  ARN: string;
  Value: string;
  Type: ParameterType;
  KeyId?: string;
  Description?: string;
  AllowedPattern?: string;
  Tier: 'Standard' | 'Advanced';
  DataType: string;
  Policies: ParameterPolicy[];
  Version: number;
  LastModifiedDate: Date;
  LastModifiedUser: string;
  Tags: Tag[];
}

export type ServiceName = 'ssm' | 's3' | 'sts' | 'kms' | 'tagging' | 'cloudwatch';

export interface FaultSpec {
  service: ServiceName;
  /** Operation name, e.g. 'GetParameters', 'PutObject'. Undefined = every operation of the service. */
  operation?: string;
  /** Region the fault applies to. Undefined = every region. */
  region?: string;
  /**
   * Substring of a parameter name / path (SSM), key or bucket (S3), key id (KMS), resource type filter or tag key
   * (tagging). Undefined = any request.
   */
  match?: string;
  /** Only fire when the request asks for decryption (SSM WithDecryption=true). */
  whenDecrypting?: boolean;
  error: { code: string; status: number; message?: string };
  /** How many times the fault fires; undefined = unlimited. */
  times?: number;
}

export interface LocalAwsStats {
  /** All AWS requests received (throttled and faulted ones included). */
  totalRequests: number;
  /** Requests refused with ThrottlingException. */
  throttles: number;
  /** Requests answered by an injected fault. */
  faultsInjected: number;
  /** Requests per 'service:Operation', all regions. */
  operations: Record<string, number>;
  /** Requests per region, then per 'service:Operation'. */
  byRegion: Record<string, Record<string, number>>;
  /** Throttles per 'service:Operation', all regions. */
  throttlesByOperation: Record<string, number>;
}

export interface S3ObjectMeta {
  key: string;
  size: number;
  etag: string;
  contentType: string;
  sse?: string;
  sseKmsKeyId?: string;
  metadata: Record<string, string>;
  lastModified: Date;
}

export interface S3ObjectSummary {
  key: string;
  size: number;
  sse?: string;
  lastModified: Date;
}

/** An AWS-style error thrown by handlers; the router renders it in the service's protocol. */
export class AwsError extends Error {
  constructor(
    public readonly code: string,
    message: string,
    public readonly status = 400,
    public readonly extra: Record<string, string> = {},
  ) {
    super(message);
    this.name = code;
  }
}
