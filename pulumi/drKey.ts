import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { drKmsAliasName } from "../ts/contract/naming";
import { BackupStackConfig } from "./config";
import { KeyUsers, archiveKey } from "./kms";
import { DR_KEY_TYPE, keyTags, logicalNames } from "./naming";

export interface DrKeyArgs {
    readonly region: string;
    readonly config: BackupStackConfig;
    readonly keyUsers?: KeyUsers;
}

/**
 * A DR key in one of `drKeyRegions`, through a provider of its own (`aws-dr-<region>`): a KMS
 * key like the archive keys (rotation on, 30-day deletion window, `protect` + `retainOnDelete`,
 * same key policy) with the alias `alias/jenkins/<environment>/backup-dr`. The backup adds it
 * to every archive's keyring, so an archive stays decryptable in this region when the region
 * of its own key is lost. Its ARN reaches the engine through the home region's
 * `/jenkins/<environment>/backup/dr-kms-key-arns`.
 */
export class DrKey extends pulumi.ComponentResource {
    public readonly region: string;
    public readonly provider: aws.Provider;
    public readonly key: aws.kms.Key;
    public readonly alias: aws.kms.Alias;
    public readonly keyArn: pulumi.Output<string>;

    constructor(args: DrKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        const { region, config } = args;
        super(DR_KEY_TYPE, logicalNames.drKey(region), {}, opts);
        this.region = region;
        this.provider = new aws.Provider(logicalNames.drProvider(region), { region }, { parent: this });
        const child: pulumi.CustomResourceOptions = { parent: this, provider: this.provider };
        const identity = aws.getCallerIdentityOutput({}, child);
        const dr = archiveKey(
            {
                keyLogicalName: logicalNames.drKmsKey(region),
                aliasLogicalName: logicalNames.drKmsAlias(region),
                aliasName: drKmsAliasName(config.environment),
                description: `DR key for the SSM Parameter Store backup archives of ${config.environment}, in ${region} (managed by Pulumi)`,
                tags: keyTags(config.environment, region, "dr"),
                accountId: identity.accountId,
                config,
                keyUsers: args.keyUsers,
            },
            child,
        );
        this.key = dr.key;
        this.alias = dr.alias;
        this.keyArn = dr.key.arn;
        this.registerOutputs({ region, keyArn: this.keyArn, alias: this.alias.name });
    }
}

/** Factory used by the program: one DR key per region of `drKeyRegions`. */
export function drKey(region: string, config: BackupStackConfig, keyUsers?: KeyUsers, opts?: pulumi.ComponentResourceOptions): DrKey {
    return new DrKey({ region, config, keyUsers }, opts);
}
