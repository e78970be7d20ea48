/**
 * Test harness: Pulumi runtime mocks that record every resource and invoke, and a
 * `runProgram(config)` that sets the stack config and (re)loads the real `index.ts`
 * against fresh mocks, so one mocha process can run the program with many configs.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT } from "../naming";

export const ACCOUNT_ID = "123456789012";
export const STACK = "dev";
export const CALLER_IDENTITY_TOKEN = "aws:index/getCallerIdentity:getCallerIdentity";
export const PROVIDER_TYPE = "pulumi:providers:aws";

export const TYPES = {
    bucket: "aws:s3/bucket:Bucket",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownershipControls: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    objectLock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
    parameter: "aws:ssm/parameter:Parameter",
    kmsKey: "aws:kms/key:Key",
    kmsAlias: "aws:kms/alias:Alias",
    bucketLogging: "aws:s3/bucketLogging:BucketLogging",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    topic: "aws:sns/topic:Topic",
    topicSubscription: "aws:sns/topicSubscription:TopicSubscription",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    memberRoles: "jenkins-ssm-backup:index:MemberRoles",
    regionalStore: "jenkins-ssm-backup:index:RegionalBackupStore",
    homeMetadata: "jenkins-ssm-backup:index:HomeRegionMetadata",
    drKey: "jenkins-ssm-backup:index:DrKey",
} as const;

export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, any>;
    /** Provider reference (`urn::id`) of custom resources with an explicit provider. */
    readonly provider?: string;
    readonly custom: boolean;
    readonly id: string;
}

/** Resource options as the engine would receive them (the mocks API does not pass them on). */
export interface RecordedOptions {
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly parent: string;
    readonly dependencies: readonly string[];
}

export interface RecordedCall {
    readonly token: string;
    readonly inputs: Record<string, any>;
    readonly provider?: string;
}

/** Mocks that answer like AWS would for the fields the program reads, and record everything. */
export class RecordingMocks implements pulumi.runtime.Mocks {
    public readonly resources: RecordedResource[] = [];
    public readonly calls: RecordedCall[] = [];
    private readonly options = new Map<string, RecordedOptions>();

    /**
     * Wraps the mock monitor installed by `setMocks` so the resource options of every
     * registration (protect, retainOnDelete, parent, dependsOn) are recorded too.
     */
    captureOptions(): void {
        const monitor = pulumi.runtime.getMonitor() as any;
        if (!monitor || typeof monitor.registerResource !== "function") {
            throw new Error("Pulumi mock monitor not installed");
        }
        const register = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req: any, callback: any) => {
            this.options.set(`${req.getType()}::${req.getName()}`, {
                protect: req.hasProtect() ? req.getProtect() : false,
                retainOnDelete: req.hasRetainondelete() ? req.getRetainondelete() : false,
                parent: req.getParent(),
                dependencies: req.getDependenciesList(),
            });
            return register(req, callback);
        };
    }

    optionsOf(resource: RecordedResource): RecordedOptions {
        const options = this.options.get(`${resource.type}::${resource.name}`);
        if (!options) {
            throw new Error(`no options recorded for ${resource.type} ${resource.name}`);
        }
        return options;
    }

    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        const inputs = { ...(args.inputs as Record<string, any>) };
        let id = `${args.name}_id`;
        const state: Record<string, any> = { ...inputs };
        switch (args.type) {
            case TYPES.bucket:
                id = inputs.bucket;
                state.arn = `arn:aws:s3:::${inputs.bucket}`;
                break;
            case TYPES.kmsKey:
                // Key ids are UUIDs in AWS; the logical name keeps them readable and unique here.
                id = `key-${args.name}`;
                state.keyId = id;
                state.arn = `arn:aws:kms:${this.regionOf(args.provider)}:${ACCOUNT_ID}:key/${id}`;
                break;
            case TYPES.alarm:
                state.arn = `arn:aws:cloudwatch:${this.regionOf(args.provider)}:${ACCOUNT_ID}:alarm:${inputs.name}`;
                break;
            case TYPES.topic:
                state.arn = `arn:aws:sns:${this.regionOf(args.provider)}:${ACCOUNT_ID}:${inputs.name}`;
                break;
            case TYPES.role:
                id = inputs.name;
                state.arn = `arn:aws:iam::${ACCOUNT_ID}:role/${inputs.name}`;
                break;
            case TYPES.parameter:
                id = inputs.name;
                state.arn = `arn:aws:ssm:region:${ACCOUNT_ID}:parameter${inputs.name}`;
                state.value = inputs.insecureValue;
                break;
            default:
                break;
        }
        this.resources.push({
            type: args.type,
            name: args.name,
            inputs,
            provider: args.provider || undefined,
            custom: args.custom ?? true,
            id,
        });
        return { id, state };
    }

    call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
        this.calls.push({ token: args.token, inputs: args.inputs, provider: args.provider || undefined });
        if (args.token === CALLER_IDENTITY_TOKEN) {
            return {
                accountId: ACCOUNT_ID,
                arn: `arn:aws:iam::${ACCOUNT_ID}:user/pulumi-test`,
                userId: "AIDATESTUSER",
                id: ACCOUNT_ID,
            };
        }
        throw new Error(`unexpected invoke ${args.token} in unit tests`);
    }

    ofType(type: string): RecordedResource[] {
        return this.resources.filter((resource) => resource.type === type);
    }

    named(name: string): RecordedResource {
        const matches = this.resources.filter((resource) => resource.name === name);
        if (matches.length !== 1) {
            throw new Error(`expected exactly one resource named ${name}, found ${matches.length}`);
        }
        return matches[0];
    }

    /** Region of the explicit provider a resource (or invoke) was created with. */
    regionOf(providerRef: string | undefined): string | undefined {
        if (!providerRef) {
            return undefined;
        }
        const providerId = providerRef.split("::").pop();
        const provider = this.resources.find((resource) => resource.type === PROVIDER_TYPE && resource.id === providerId);
        return provider?.inputs.region;
    }
}

export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/** Stack config in the shape the Pulumi CLI hands a program (strings; lists as JSON text). */
export type StackConfig = Record<string, string | number | boolean | readonly string[] | undefined>;

export const DEV_CONFIG: StackConfig = {
    projectName: "jenkins-infra",
    environment: "dev",
    regions: ["ap-northeast-1", "us-west-2"],
    defaultRegion: "ap-northeast-1",
    ssmHomeRegion: "ap-northeast-1",
};

function toPulumiConfig(config: StackConfig): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
        if (value === undefined) {
            continue;
        }
        out[`${PROJECT}:${key}`] = Array.isArray(value) ? JSON.stringify(value) : String(value);
    }
    return out;
}

const PROGRAM_DIR = path.resolve(__dirname, "..");

/** The naming contract shared with the engine (outside PROGRAM_DIR). */
const SHARED_NAMING = path.resolve(PROGRAM_DIR, "..", "ts", "contract", "naming.ts");

/** Drops the program's own modules (not node_modules) from the require cache. */
function forgetProgramModules(): void {
    delete require.cache[SHARED_NAMING];
    for (const key of Object.keys(require.cache)) {
        if (
            key.startsWith(PROGRAM_DIR + path.sep) &&
            !key.includes(`${path.sep}node_modules${path.sep}`) &&
            !key.startsWith(path.join(PROGRAM_DIR, "test") + path.sep)
        ) {
            delete require.cache[key];
        }
    }
}

export type ProgramModule = typeof import("../index");

export interface ProgramRun {
    readonly mocks: RecordingMocks;
    readonly program: ProgramModule;
    readonly outputs: {
        readonly bucketMap: Record<string, string>;
        readonly bucketNameOutput: string;
        readonly bucketArn: string;
        readonly ssmBackupBucketParameter: string | undefined;
        readonly kmsKeyMap: Record<string, string>;
        readonly drKmsKeyArns: string[];
        readonly accessLogBucketMap: Record<string, string>;
        readonly backupRolePolicy: string | undefined;
        readonly restoreRolePolicy: string | undefined;
        readonly alarmMap: Record<string, string>;
        readonly alarmTopicMap: Record<string, string>;
        readonly memberRoleArns: Record<string, string>;
        readonly accountsParameter: string | undefined;
        readonly centralRolePolicy: string | undefined;
        readonly centralRestoreRolePolicy: string | undefined;
    };
}

/** Sets fresh mocks + config, loads `index.ts` anew, waits for every registration. */
export async function runProgram(config: StackConfig): Promise<ProgramRun> {
    const mocks = new RecordingMocks();
    await pulumi.runtime.setMocks(mocks, PROJECT, STACK, false);
    mocks.captureOptions();
    pulumi.runtime.setAllConfig(toPulumiConfig(config));
    forgetProgramModules();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require("../index") as ProgramModule;
    const outputs = {
        bucketMap: await promiseOf(program.bucketMap),
        bucketNameOutput: await promiseOf(program.bucketNameOutput),
        bucketArn: await promiseOf(program.bucketArn),
        ssmBackupBucketParameter: await promiseOf(program.ssmBackupBucketParameter),
        kmsKeyMap: await promiseOf(program.kmsKeyMap),
        drKmsKeyArns: await promiseOf(program.drKmsKeyArns),
        accessLogBucketMap: await promiseOf(program.accessLogBucketMap),
        backupRolePolicy: await promiseOf(program.backupRolePolicy),
        restoreRolePolicy: await promiseOf(program.restoreRolePolicy),
        alarmMap: await promiseOf(program.alarmMap),
        alarmTopicMap: await promiseOf(program.alarmTopicMap),
        memberRoleArns: await promiseOf(program.memberRoleArns),
        accountsParameter: await promiseOf(program.accountsParameter),
        centralRolePolicy: await promiseOf(program.centralRolePolicy),
        centralRestoreRolePolicy: await promiseOf(program.centralRestoreRolePolicy),
    };
    // Drain every outstanding registration before the assertions look at the records.
    await pulumi.runtime.disconnect();
    return { mocks, program, outputs };
}

export interface FailedRun {
    readonly error: Error;
    readonly mocks: RecordingMocks;
}

/** Runs the program expecting it to stop; returns the error and what was registered before. */
export async function runProgramExpectingError(config: StackConfig): Promise<FailedRun> {
    const mocks = new RecordingMocks();
    await pulumi.runtime.setMocks(mocks, PROJECT, STACK, false);
    mocks.captureOptions();
    pulumi.runtime.setAllConfig(toPulumiConfig(config));
    forgetProgramModules();
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require("../index");
    } catch (err) {
        if (err instanceof Error) {
            return { error: err, mocks };
        }
        throw new Error(`program threw a non-Error: ${String(err)}`);
    } finally {
        await pulumi.runtime.disconnect();
    }
    throw new Error("program was expected to fail but succeeded");
}

/** A JSON policy output parsed; fails when the stack exported none. */
export function documentOf(text: string | undefined): any {
    if (text === undefined) {
        throw new Error("the stack exported no document here");
    }
    return JSON.parse(text);
}
