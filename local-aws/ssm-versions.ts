/**
 * SSM parameter history and labels (GetParameterHistory, LabelParameterVersion, UnlabelParameterVersion,
 * `name:version` / `name:label` selectors). Rules from the API reference page of LabelParameterVersion and the
 * user guide "Working with parameter labels": at most 10 labels per version, a label names one version of a
 * parameter (labelling another version moves it), labels are 1-100 characters of letters, digits, `.`, `-`, `_`,
 * not starting with a digit, "aws" or "ssm" (else returned in InvalidLabels), and a parameter keeps at most 100
 * versions (the oldest is dropped unless it carries a label: ParameterMaxVersionLimitExceeded).
 */
import { AwsError } from './types.js';
import type { StoredParameter } from './types.js';

export const MAX_LABELS_PER_VERSION = 10;
export const MAX_VERSIONS = 100;

/** One version of a parameter as GetParameterHistory shows it (Tags are per parameter, not per version). */
export type ParameterVersion = Omit<StoredParameter, 'Tags' | 'ARN'> & { Labels: string[] };

const validation = (message: string): AwsError => new AwsError('ValidationException', message);

/** True when a label meets the naming rules (else it goes to InvalidLabels). */
export function isValidLabel(label: string): boolean {
  return /^[a-zA-Z0-9._-]{1,100}$/.test(label) && !/^([0-9]|aws|ssm)/i.test(label);
}

/** Validates the `Labels` request member: 1-10 strings of 1-100 characters (ValidationException otherwise). */
export function requestLabels(v: unknown): string[] {
  if (!Array.isArray(v) || v.length < 1 || v.length > MAX_LABELS_PER_VERSION) {
    throw validation(
      `1 validation error detected: Value at 'labels' failed to satisfy constraint: Member must have length ${Array.isArray(v) && v.length > 0 ? 'less than or equal to 10' : 'greater than or equal to 1'}`,
    );
  }
  for (const l of v) {
    if (typeof l !== 'string' || l.length < 1 || l.length > 100)
      throw validation(
        "1 validation error detected: Value at 'labels' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 100, Member must have length greater than or equal to 1]",
      );
  }
  return [...new Set(v as string[])];
}

const notFound = (name: string): AwsError => new AwsError('ParameterNotFound', `Parameter ${name} not found.`);
const versionNotFound = (name: string, v: string | number): AwsError =>
  new AwsError('ParameterVersionNotFound', `Systems Manager could not find version ${v} of ${name}. Verify the version and try again.`);

export class SsmVersions {
  private readonly regions = new Map<string, Map<string, ParameterVersion[]>>();

  private of(region: string): Map<string, ParameterVersion[]> {
    let m = this.regions.get(region);
    if (!m) this.regions.set(region, (m = new Map()));
    return m;
  }

  /** Records a new version; throws ParameterMaxVersionLimitExceeded when the oldest of 100 carries a label. */
  record(region: string, p: StoredParameter): void {
    const list = this.of(region).get(p.Name) ?? [];
    if (list.length >= MAX_VERSIONS && list[0].Labels.length > 0) {
      throw new AwsError(
        'ParameterMaxVersionLimitExceeded',
        `You attempted to create a new version of ${p.Name} by calling the PutParameter API with the overwrite flag. Version ${list[0].Version}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
      );
    }
    const { Tags: _tags, ARN: _arn, ...rest } = p;
    const next = [...list, { ...rest, Policies: [...p.Policies], Labels: [] }];
    this.of(region).set(p.Name, next.length > MAX_VERSIONS ? next.slice(next.length - MAX_VERSIONS) : next);
  }

  /** All versions, oldest first (the order of GetParameterHistory). */
  list(region: string, name: string): ParameterVersion[] {
    return this.of(region).get(name) ?? [];
  }

  /** The version a selector (`:3` or `:label`, colon included) names; ParameterVersionNotFound when none. */
  select(region: string, name: string, selector: string): ParameterVersion {
    const want = selector.slice(1);
    const list = this.list(region, name);
    const found = /^\d+$/.test(want) ? list.find((v) => v.Version === Number(want)) : list.find((v) => v.Labels.includes(want));
    if (!found) throw versionNotFound(name, want);
    return found;
  }

  /** LabelParameterVersion: attaches (or moves) valid labels to a version, latest when `version` is undefined. */
  label(region: string, name: string, version: number | undefined, labels: string[]): { InvalidLabels: string[]; ParameterVersion: number } {
    const list = this.list(region, name);
    if (list.length === 0) throw notFound(name);
    const target = version === undefined ? list[list.length - 1] : list.find((v) => v.Version === version);
    if (!target) throw versionNotFound(name, String(version));
    const valid = labels.filter(isValidLabel);
    const merged = new Set([...target.Labels, ...valid]);
    if (merged.size > MAX_LABELS_PER_VERSION) {
      throw new AwsError(
        'ParameterVersionLabelLimitExceeded',
        'A parameter version can have maximum 10 labels.Move one or more labels to another version and try again.',
      );
    }
    for (const v of list) if (v !== target) v.Labels = v.Labels.filter((l) => !valid.includes(l));
    target.Labels = [...merged];
    return { InvalidLabels: labels.filter((l) => !isValidLabel(l)), ParameterVersion: target.Version };
  }

  /** UnlabelParameterVersion: removes labels from one version; labels it does not carry come back in InvalidLabels. */
  unlabel(region: string, name: string, version: number, labels: string[]): { RemovedLabels: string[]; InvalidLabels: string[] } {
    const list = this.list(region, name);
    if (list.length === 0) throw notFound(name);
    const target = list.find((v) => v.Version === version);
    if (!target) throw versionNotFound(name, String(version));
    const removed = labels.filter((l) => target.Labels.includes(l));
    target.Labels = target.Labels.filter((l) => !removed.includes(l));
    return { RemovedLabels: removed, InvalidLabels: labels.filter((l) => !removed.includes(l)) };
  }

  drop(region: string, name: string): void {
    this.of(region).delete(name);
  }

  clear(region?: string): void {
    if (region === undefined) this.regions.clear();
    else this.regions.delete(region);
  }
}
