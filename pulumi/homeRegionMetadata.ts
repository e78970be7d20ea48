import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ssmParameterNames } from "../ts/contract/naming";
import { accountsParameterName, accountsParameterValue } from "./accounts";
import { BackupStackConfig } from "./config";
import { HOME_METADATA_TYPE, logicalNames, parameterTags, regionListValue } from "./naming";

export interface HomeRegionMetadataArgs {
    readonly config: BackupStackConfig;
    /** The default region's bucket name (value of the legacy single-region key). */
    readonly defaultBucketName: pulumi.Input<string>;
    /** ARNs of the DR keys, in `drKeyRegions` order (empty without DR keys). */
    readonly drKeyArns: pulumi.Input<string>[];
}

/**
 * Stack-wide SSM parameters in `ssmHomeRegion`, through a provider of its own (so the
 * metadata never moves when regions are added or removed):
 * - `/jenkins/{env}/backup/region-list`: JSON array of the regions, in config order;
 * - `/jenkins/{env}/backup/default-region`;
 * - `/jenkins/{env}/backup/s3-bucket-name`: legacy key of the single-region stack, now the
 *   default region's bucket;
 * - `/jenkins/{env}/backup/dr-kms-key-arns`: JSON array of the DR key ARNs (`[]` without DR keys);
 * - `/jenkins/{env}/backup/accounts` (central stack, only with `accounts`): JSON list of
 *   `{"accountId","roleArn","externalId"?}`, a String (an external id is no secret), Advanced
 *   tier only when the list outgrows the Standard tier's 4 KB.
 */
export class HomeRegionMetadata extends pulumi.ComponentResource {
    public readonly provider: aws.Provider;
    public readonly regionList: aws.ssm.Parameter;
    public readonly defaultRegion: aws.ssm.Parameter;
    public readonly legacyBucketName: aws.ssm.Parameter;
    public readonly drKmsKeyArns: aws.ssm.Parameter;
    /** `/jenkins/{env}/backup/accounts`, only when `accounts` is configured. */
    public readonly accounts?: aws.ssm.Parameter;

    constructor(args: HomeRegionMetadataArgs, opts?: pulumi.ComponentResourceOptions) {
        const { config } = args;
        const home = config.ssmHomeRegion;
        super(HOME_METADATA_TYPE, logicalNames.homeMetadata(home), {}, opts);

        this.provider = new aws.Provider(logicalNames.homeProvider(home), { region: home }, { parent: this });
        const child: pulumi.CustomResourceOptions = { parent: this, provider: this.provider };
        const tags = parameterTags(config.environment, home);
        const names = ssmParameterNames(config.environment);

        this.regionList = new aws.ssm.Parameter(
            logicalNames.regionListParameter(home),
            {
                name: names.regionList,
                type: "String",
                insecureValue: regionListValue(config.regions),
                description: "Regions backed up by the SSM Parameter Store backup (JSON array, managed by Pulumi)",
                tags,
            },
            child,
        );

        this.defaultRegion = new aws.ssm.Parameter(
            logicalNames.defaultRegionParameter(home),
            {
                name: names.defaultRegion,
                type: "String",
                insecureValue: config.defaultRegion,
                description: "Default region of the SSM Parameter Store backup (managed by Pulumi)",
                tags,
            },
            child,
        );

        this.legacyBucketName = new aws.ssm.Parameter(
            logicalNames.legacyBucketNameParameter(home),
            {
                name: names.legacyBucket,
                type: "String",
                insecureValue: args.defaultBucketName,
                description: "Legacy single-region key: the default region's backup bucket (managed by Pulumi)",
                tags,
            },
            child,
        );

        this.drKmsKeyArns = new aws.ssm.Parameter(
            logicalNames.drKmsKeyArnsParameter(home),
            {
                name: names.drKmsKeyArns,
                type: "String",
                insecureValue: pulumi.all(args.drKeyArns).apply((arns) => JSON.stringify(arns)),
                description: "DR KMS keys of the SSM Parameter Store backup archives (JSON array of key ARNs, managed by Pulumi)",
                tags,
            },
            child,
        );

        if (config.accounts.length > 0) {
            const { value, tier } = accountsParameterValue(config.accounts);
            this.accounts = new aws.ssm.Parameter(
                logicalNames.accountsParameter(home),
                {
                    name: accountsParameterName(config.environment),
                    type: "String",
                    tier,
                    insecureValue: value,
                    description: "Accounts the SSM Parameter Store backup assumes a role in (JSON list, managed by Pulumi)",
                    tags,
                },
                child,
            );
        }

        this.registerOutputs({
            regionList: this.regionList.name,
            defaultRegion: this.defaultRegion.name,
            legacyBucketName: this.legacyBucketName.name,
            drKmsKeyArns: this.drKmsKeyArns.name,
        });
    }
}

/** Factory used by the program: the stack-wide metadata, pointing at the default region's bucket. */
export function homeRegionMetadata(
    config: BackupStackConfig,
    defaultBucketName: pulumi.Input<string>,
    drKeyArns: pulumi.Input<string>[],
    opts?: pulumi.ComponentResourceOptions,
): HomeRegionMetadata {
    return new HomeRegionMetadata({ config, defaultBucketName, drKeyArns }, opts);
}
