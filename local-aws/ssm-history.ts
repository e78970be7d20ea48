/** SSM GetParameterHistory, LabelParameterVersion, UnlabelParameterVersion (AWS JSON 1.1). */
import { AwsError } from './types.js';
import { pageLimit, pageOf } from './paging.js';
import { atVersion, byName, epoch, invalidToken, str, validation, type Ctx, type Input, type OpDef } from './ssm-shapes.js';
import { requestLabels, type ParameterVersion } from './ssm-versions.js';

const nameSubjects = (_ctx: Ctx, input: Input): string[] => byName(input);

/** The existing parameter's name (plain name or ARN); ParameterNotFound otherwise. */
function existingName(ctx: Ctx, input: Input): string {
  const ref = str(input.Name);
  if (ref === undefined || ref === '')
    throw validation("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null");
  const name = ctx.store.normalizeName(ctx.region, ref);
  if (!ctx.store.get(ctx.region, name)) throw new AwsError('ParameterNotFound', `Parameter ${ref} not found.`);
  return name;
}

function version(v: unknown, required: boolean): number | undefined {
  if (v === undefined || v === null) {
    if (required) throw validation("1 validation error detected: Value null at 'parameterVersion' failed to satisfy constraint: Member must not be null");
    return undefined;
  }
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw validation(
      `1 validation error detected: Value '${String(v)}' at 'parameterVersion' failed to satisfy constraint: Member must have value greater than or equal to 1`,
    );
  return n;
}

/** The `ParameterHistory` shape: one version, its Labels, the value decrypted only with WithDecryption. */
function toHistory(ctx: Ctx, name: string, v: ParameterVersion, decrypt: boolean): Record<string, unknown> {
  const p = atVersion(ctx.store.get(ctx.region, name)!, v);
  return {
    Name: name,
    Type: v.Type,
    ...(v.KeyId !== undefined ? { KeyId: v.KeyId } : {}),
    LastModifiedDate: epoch(v.LastModifiedDate),
    LastModifiedUser: v.LastModifiedUser,
    ...(v.Description !== undefined ? { Description: v.Description } : {}),
    Value: v.Type === 'SecureString' && !decrypt ? ctx.store.cipherText(ctx.region, p) : v.Value,
    ...(v.AllowedPattern !== undefined ? { AllowedPattern: v.AllowedPattern } : {}),
    Version: v.Version,
    Labels: [...v.Labels],
    Tier: v.Tier,
    Policies: v.Policies,
    DataType: v.DataType,
  };
}

export const HISTORY_OPERATIONS: Record<string, OpDef> = {
  GetParameterHistory: {
    subjects: nameSubjects,
    handle(ctx, input) {
      const name = existingName(ctx, input);
      const items = ctx.store.versions.list(ctx.region, name);
      const limit = pageLimit(input.MaxResults, 'maxResults', 50, 50, validation);
      const key = (v: ParameterVersion): string => String(v.Version).padStart(12, '0');
      const { page, next } = pageOf({ items, key, limit, token: str(input.NextToken), badToken: invalidToken }, ctx.paging);
      return { Parameters: page.map((v) => toHistory(ctx, name, v, input.WithDecryption === true)), ...(next ? { NextToken: next } : {}) };
    },
  },
  LabelParameterVersion: {
    subjects: nameSubjects,
    handle(ctx, input) {
      const name = existingName(ctx, input);
      return ctx.store.versions.label(ctx.region, name, version(input.ParameterVersion, false), requestLabels(input.Labels));
    },
  },
  UnlabelParameterVersion: {
    subjects: nameSubjects,
    handle(ctx, input) {
      const name = existingName(ctx, input);
      return ctx.store.versions.unlabel(ctx.region, name, version(input.ParameterVersion, true) as number, requestLabels(input.Labels));
    },
  },
};
