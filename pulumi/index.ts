// Pulumi program: read + validate config -> one RegionalBackupStore per region ->
// home-region metadata -> stack outputs. Logic lives in the imported modules.
import { loadConfig } from "./config";
import { homeRegionMetadata } from "./homeRegionMetadata";
import { defaultStore, stackOutputs } from "./outputs";
import { regionalBackupStore } from "./regionalBackupStore";

const config = loadConfig();

const stores = config.regions.map((region) => regionalBackupStore(region, config));
const home = homeRegionMetadata(config, defaultStore(config, stores).bucketName);

const outputs = stackOutputs(config, stores, home);
export const bucketMap = outputs.bucketMap;
// Outputs of the old single-region stack, kept for existing consumers.
export const bucketNameOutput = outputs.bucketNameOutput;
export const bucketArn = outputs.bucketArn;
export const ssmBackupBucketParameter = outputs.ssmBackupBucketParameter;
