import * as pulumi from "@pulumi/pulumi";
import { BackupStackConfig } from "./config";
import { HomeRegionMetadata } from "./homeRegionMetadata";
import { RegionalBackupStore } from "./regionalBackupStore";

/** Stack outputs; the last three keep the single-region stack's output names for existing consumers. */
export interface BackupStackOutputs {
    /** `{ region: bucketName }` for every configured region. */
    readonly bucketMap: pulumi.Output<Record<string, string>>;
    /** Default region's bucket name. */
    readonly bucketNameOutput: pulumi.Output<string>;
    /** Default region's bucket ARN. */
    readonly bucketArn: pulumi.Output<string>;
    /** Name of the legacy SSM parameter holding the default region's bucket name. */
    readonly ssmBackupBucketParameter: pulumi.Output<string>;
}

export function defaultStore(
    config: BackupStackConfig,
    stores: readonly RegionalBackupStore[],
): RegionalBackupStore {
    const store = stores.find((candidate) => candidate.region === config.defaultRegion);
    if (!store) {
        // validateConfig guarantees it; this keeps the type checker (and a misuse) honest.
        throw new pulumi.RunError("defaultRegion must be included in regions.");
    }
    return store;
}

export function stackOutputs(
    config: BackupStackConfig,
    stores: readonly RegionalBackupStore[],
    home: HomeRegionMetadata,
): BackupStackOutputs {
    const fallback = defaultStore(config, stores);
    const bucketMap = pulumi
        .all(stores.map((store) => store.bucketName.apply((name): [string, string] => [store.region, name])))
        .apply((entries) => Object.fromEntries(entries));
    return {
        bucketMap,
        bucketNameOutput: fallback.bucketName,
        bucketArn: fallback.bucketArn,
        ssmBackupBucketParameter: home.legacyBucketName.name,
    };
}
