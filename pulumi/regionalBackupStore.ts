import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bucketName, kmsAliasName, ssmParameterNames } from "../ts/contract/naming";
import { BackupStackConfig } from "./config";
import { memberBucketName } from "./backupAccount";
import { BackupAlarm, backupAlarm } from "./alarm";
import { BackupBucket, backupBucket, backupBucketPolicyDocument } from "./backupBucket";
import { KeyUsers, archiveKey } from "./kms";
import { REGIONAL_STORE_TYPE, keyTags, logicalNames, parameterTags } from "./naming";

export { ABORT_INCOMPLETE_MULTIPART_UPLOAD_DAYS, LIFECYCLE_RULE_IDS, POLICY_SIDS, backupBucketPolicyDocument } from "./backupBucket";

export interface RegionalBackupStoreArgs {
    readonly region: string;
    readonly config: BackupStackConfig;
    readonly keyUsers?: KeyUsers;
}

/**
 * Everything one region needs: an explicit AWS provider pinned to the region, the hardened
 * backup bucket (backupBucket.ts), the archive encryption KMS key and alias, and the SSM
 * parameters `/jenkins/{environment}/backup/{region}/s3-bucket-name` and `.../{region}/kms-key-arn`
 * in that same region.
 *
 * A member stack with `backupAccountId` creates no bucket: the parameter names the backup
 * account's bucket of the region, `bucketName(projectName, env, backupAccountId, region)`, which
 * the backup account's stack creates (backupAccountStore.ts).
 *
 * Every child's logical name ends with the region, so adding or removing a region never
 * renames another region's resources. The bucket is `protect`ed and, like its configuration
 * resources, `retainOnDelete` (see README). The KMS key is kept the same way.
 */
export class RegionalBackupStore extends pulumi.ComponentResource {
    public readonly region: string;
    public readonly provider: aws.Provider;
    /** This account's bucket and its setup; undefined when a backup account holds the archives. */
    public readonly store?: BackupBucket;
    public readonly bucketNameParameter: aws.ssm.Parameter;
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;
    /** The account the stack runs in (a member account when a backup account holds the archives). */
    public readonly accountId: pulumi.Output<string>;
    /** Archive encryption key of the region and its alias. */
    public readonly kmsKey: aws.kms.Key;
    public readonly kmsAlias: aws.kms.Alias;
    public readonly kmsKeyArnParameter: aws.ssm.Parameter;
    /** The "no successful backup" alarm (and topic), unless `backupAlarm: false`. */
    public readonly alarm?: BackupAlarm;

    constructor(args: RegionalBackupStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        const { region, config } = args;
        super(REGIONAL_STORE_TYPE, logicalNames.regionalStore(region), {}, opts);
        this.region = region;

        this.provider = new aws.Provider(logicalNames.provider(region), { region }, { parent: this });
        const provider = this.provider;
        const child: pulumi.CustomResourceOptions = { parent: this, provider };

        const identity = aws.getCallerIdentityOutput({}, { parent: this, provider });
        this.accountId = identity.accountId;
        const backupAccountId = config.member?.backupAccountId;
        if (backupAccountId) {
            this.bucketName = identity.accountId.apply((accountId) => memberBucketName(config, backupAccountId, accountId, region));
            this.bucketArn = this.bucketName.apply((name) => `arn:${config.partition}:s3:::${name}`);
        } else {
            const name = identity.accountId.apply((accountId) => bucketName(config.projectName, config.environment, accountId, region));
            this.store = backupBucket({ region, config, name, accountId: this.accountId, policy: backupBucketPolicyDocument }, child);
            this.bucketName = this.store.bucket.bucket;
            this.bucketArn = this.store.bucket.arn;
        }

        const archive = archiveKey(
            {
                keyLogicalName: logicalNames.kmsKey(region),
                aliasLogicalName: logicalNames.kmsAlias(region),
                aliasName: kmsAliasName(config.environment),
                description: `SSM Parameter Store backup archives of ${config.environment} in ${region} (managed by Pulumi)`,
                tags: keyTags(config.environment, region, "backup"),
                accountId: this.accountId,
                config,
                keyUsers: args.keyUsers,
            },
            child,
        );
        this.kmsKey = archive.key;
        this.kmsAlias = archive.alias;

        const names = ssmParameterNames(config.environment);
        this.kmsKeyArnParameter = new aws.ssm.Parameter(
            logicalNames.kmsKeyArnParameter(region),
            {
                name: names.kmsKeyArn(region),
                type: "String",
                insecureValue: this.kmsKey.arn,
                description: `KMS key encrypting the SSM Parameter Store backup archives in ${region} (managed by Pulumi)`,
                tags: parameterTags(config.environment, region),
            },
            child,
        );

        this.bucketNameParameter = new aws.ssm.Parameter(
            logicalNames.bucketNameParameter(region),
            {
                name: names.regionBucket(region),
                type: "String",
                insecureValue: this.bucketName,
                description: backupAccountId
                    ? `SSM Parameter Store backup bucket for ${region}, in backup account ${backupAccountId} (managed by Pulumi)`
                    : `SSM Parameter Store backup bucket for ${region} (managed by Pulumi)`,
                tags: parameterTags(config.environment, region),
            },
            child,
        );

        // Member stacks alarm on the AccountId dimension the engine adds when it runs across accounts.
        this.alarm = backupAlarm(region, config, config.member ? this.accountId : undefined, child);

        this.registerOutputs({
            region,
            bucketName: this.bucketName,
            bucketArn: this.bucketArn,
            bucketNameParameter: this.bucketNameParameter.name,
            kmsKeyArn: this.kmsKey.arn,
            kmsKeyArnParameter: this.kmsKeyArnParameter.name,
        });
    }

    /** Only with `accessLogs: true` (and a bucket of this account). */
    get accessLogBucket(): aws.s3.Bucket | undefined {
        return this.store?.accessLogBucket;
    }
}

/** Factory used by the program: one store per configured region. */
export function regionalBackupStore(
    region: string,
    config: BackupStackConfig,
    keyUsers?: KeyUsers,
    opts?: pulumi.ComponentResourceOptions,
): RegionalBackupStore {
    return new RegionalBackupStore({ region, config, keyUsers }, opts);
}
