import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MemberConfig, memberRoleNames } from "./accounts";
import { BackupStackConfig } from "./config";
import { memberRoleTrustPolicyDocument } from "./iamPolicies";
import { KeyUsers } from "./kms";
import { MEMBER_ROLES_TYPE, globalLogicalNames } from "./naming";

/**
 * One hour: the central Jenkins role reaches these roles by role chaining, which STS caps at one
 * hour whatever the role allows (IAM User Guide, "Role chaining"); the engine refreshes its
 * credentials before they expire.
 */
export const MEMBER_ROLE_MAX_SESSION_SECONDS = 3600;

function roleTags(environment: string, purpose: string): Record<string, string> {
    return { Environment: environment, ManagedBy: "Pulumi", Purpose: purpose };
}

/**
 * Member stack (config `centralRoleArn`): the backup and restore roles of this account, named
 * `jenkins-ssm-backup-{env}` and `jenkins-ssm-restore-{env}`, that only the central Jenkins
 * role may assume (the restore role: `centralRestoreRoleArn` when set), with `sts:ExternalId`
 * when `externalId` is configured. The key policies of this account's archive and DR keys name
 * them (`keyUsers`); their permissions are attached by `attachMemberRolePolicies` once the
 * buckets and keys exist (the documents name them).
 */
export class MemberRoles extends pulumi.ComponentResource {
    public readonly provider: aws.Provider;
    public readonly backupRole: aws.iam.Role;
    public readonly restoreRole: aws.iam.Role;

    constructor(config: BackupStackConfig, member: MemberConfig, opts?: pulumi.ComponentResourceOptions) {
        super(MEMBER_ROLES_TYPE, globalLogicalNames.memberRoles, {}, opts);
        const names = memberRoleNames(config.environment);
        // IAM is global; the provider only needs some region of the stack's partition.
        this.provider = new aws.Provider(globalLogicalNames.iamProvider, { region: config.ssmHomeRegion }, { parent: this });
        const child: pulumi.CustomResourceOptions = { parent: this, provider: this.provider };
        const role = (logicalName: string, name: string, trusted: string, purpose: string) =>
            new aws.iam.Role(
                logicalName,
                {
                    name,
                    description: `${purpose} of ${config.environment}, assumed by the central Jenkins role (managed by Pulumi)`,
                    assumeRolePolicy: JSON.stringify(memberRoleTrustPolicyDocument(trusted, member.externalId)),
                    maxSessionDuration: MEMBER_ROLE_MAX_SESSION_SECONDS,
                    tags: roleTags(config.environment, purpose),
                },
                child,
            );
        this.backupRole = role(globalLogicalNames.backupRole, names.backup, member.centralRoleArn, "SSM Parameter Store backup");
        this.restoreRole = role(globalLogicalNames.restoreRole, names.restore, member.centralRestoreRoleArn, "SSM Parameter Store restore");
        this.registerOutputs({ backupRoleArn: this.backupRole.arn, restoreRoleArn: this.restoreRole.arn });
    }

    /** The roles the key policies name. */
    get keyUsers(): KeyUsers {
        return { backupRoleArn: this.backupRole.arn, restoreRoleArn: this.restoreRole.arn };
    }
}

/** Attaches the backup and restore policy documents (JSON text) as inline policies `ssm-backup` of the member roles. */
export function attachMemberRolePolicies(roles: MemberRoles, policies: pulumi.Output<{ backup: string; restore: string }>): aws.iam.RolePolicy[] {
    const child: pulumi.CustomResourceOptions = { parent: roles, provider: roles.provider };
    return [
        new aws.iam.RolePolicy(globalLogicalNames.backupRolePolicy, { role: roles.backupRole.name, name: "ssm-backup", policy: policies.backup }, child),
        new aws.iam.RolePolicy(globalLogicalNames.restoreRolePolicy, { role: roles.restoreRole.name, name: "ssm-backup", policy: policies.restore }, child),
    ];
}

/** Factory used by the program: the member roles, only in member mode. */
export function memberRoles(config: BackupStackConfig): MemberRoles | undefined {
    return config.member ? new MemberRoles(config, config.member) : undefined;
}
