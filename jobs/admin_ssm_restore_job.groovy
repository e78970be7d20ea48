// Job DSL seed: the SSM Parameter Store restore job, in the folder that jobs/admin_ssm_backup_job.groovy defines
// (and where the library is pinned). Run both scripts from the same seed job.
//
// Variables (seed job parameters or environment; defaults apply when unset or empty):
//   BACKUP_JOB_FOLDER             folder holding the job                  (Admin_Jobs)
//   RESTORE_JOB_NAME              job name inside the folder              (ssm-multi-region-restore)
//   BACKUP_JOB_REPO_URL           git repository of the library and Jenkinsfile
//   BACKUP_JOB_SCM_CREDENTIALS_ID Jenkins credential to read that repository (github-readonly)
//   RESTORE_JOB_AWS_CREDENTIALS_ID AWS credential of the restore role, default of the job's RESTORE_AWS_CREDENTIALS_ID
//                                 (empty: the agent's instance role); must not be BACKUP_JOB_AWS_CREDENTIALS_ID
//   BACKUP_JOB_RUNBOOK_URL        runbook linked from the job description
// PARAMETER_PATH is not called PATH: job parameters become environment variables.

String setting(String name, String fallback) {
    Object value = binding.hasVariable(name) ? binding.getVariable(name) : null
    return value?.toString()?.trim() ? value.toString().trim() : fallback
}

String folderName = setting('BACKUP_JOB_FOLDER', 'Admin_Jobs')
String jobName = setting('RESTORE_JOB_NAME', 'ssm-multi-region-restore')
String repoUrl = setting('BACKUP_JOB_REPO_URL', 'https://github.com/example-org/ssm-multi-region-backup.git')
String scmCredentialsId = setting('BACKUP_JOB_SCM_CREDENTIALS_ID', 'github-readonly')
String awsCredentialsId = setting('RESTORE_JOB_AWS_CREDENTIALS_ID', '')
// The Pulumi key policies let only the restore role decrypt archives and only the backup role encrypt them: one
// credential for both jobs would fail one of them at run time, so the seed stops here instead.
if (awsCredentialsId && awsCredentialsId == setting('BACKUP_JOB_AWS_CREDENTIALS_ID', '')) {
    throw new IllegalArgumentException("RESTORE_JOB_AWS_CREDENTIALS_ID and BACKUP_JOB_AWS_CREDENTIALS_ID both name '${awsCredentialsId}': " +
            'give the restore job a credential of the restore role')
}
String runbookUrl = setting('BACKUP_JOB_RUNBOOK_URL', repoUrl.replaceAll(/\.git$/, '') + '/blob/main/docs/runbooks/ssm-backup.md')

pipelineJob("${folderName}/${jobName}") {
    description("""Restores AWS SSM Parameter Store parameters from a backup archive in a region's S3 bucket, into the
same region or (TARGET_REGION) another one for disaster recovery. Never deletes a parameter: missing ones are
created, differing ones updated only with FORCE_OVERWRITE, identical ones skipped.
Always plans first and shows the plan (names only, never values); with DRY_RUN unticked it waits for approval,
then writes at most 3 parameters per second (the PutParameter quota): about 6 minutes per 1,000 parameters.
Archives restore_summary.json (created/updated/skipped/failed by name); after a partial failure, run it again.
Runbook: ${runbookUrl}""")
    parameters {
        choiceParam('AGENT_LABEL', ['ec2-fleet-small', 'ec2-fleet-medium', 'ec2-fleet-micro'], 'Agent label the restore runs on')
        choiceParam('ENVIRONMENT', ['dev', 'prod'], 'Environment whose backup is restored (/jenkins/ENVIRONMENT/backup/...)')
        stringParam('REGION', 'ap-northeast-1', 'Region whose backup bucket holds the archive')
        stringParam('ARCHIVE', 'choose', 'choose: pick the archive when the build runs, from the list of the bucket (newest first, with time and parameter count); or latest, or an archive object key')
        stringParam('AS_OF', '', 'Instead of ARCHIVE: restore the newest archive made at or before this time (2026-11-28T13:00:00Z, or a date: the end of that UTC day); nothing is asked then')
        stringParam('ACCOUNT', '', 'Member account (12 digits) whose archive is restored, from the accounts parameter (empty: the job\'s own account)')
        stringParam('TARGET_ACCOUNT', '', 'Member account to restore into (empty: ACCOUNT); another account restores ACCOUNT\'s archive there')
        stringParam('TARGET_REGION', '', 'Region to restore into (empty: REGION); another region for disaster recovery')
        stringParam('PARAMETER_PATH', '', 'Restore only parameters under this path, e.g. /app (empty: all)')
        stringParam('NAMES', '', 'Comma-separated parameter names to restore (empty: all under PARAMETER_PATH)')
        stringParam('KMS_KEY_MAP', '', 'FROM=TO,... KMS keys for SecureStrings in the target region, e.g. alias/app=alias/dr')
        booleanParam('FORCE_OVERWRITE', false, 'Update parameters that differ from the archive (otherwise they are skipped)')
        booleanParam('DRY_RUN', true, 'Plan only: show what would be created or updated, write nothing')
        credentialsParam('RESTORE_AWS_CREDENTIALS_ID') {
            type('com.cloudbees.jenkins.plugins.awscredentials.AWSCredentialsImpl')
            required(false)
            defaultValue(awsCredentialsId)
            description('AWS credentials of the restore role (reads the backup buckets, decrypts archives, writes SSM; ' +
                    'the Pulumi key policies let only this role decrypt). Empty: the agent\'s instance role. Never the backup role.')
        }
        stringParam('JENKINSFILE_BRANCH', 'main', 'Branch of the repository the Jenkinsfile is read from')
    }
    logRotator {
        daysToKeep(90)
        numToKeep(100)
    }
    throttleConcurrentBuilds {
        maxTotal(1)
    }
    definition {
        cpsScm {
            scm {
                git {
                    remote {
                        url(repoUrl)
                        credentials(scmCredentialsId)
                    }
                    // Expanded by Jenkins at build time; needs a full (not lightweight) checkout.
                    branch('${JENKINSFILE_BRANCH}')
                }
            }
            scriptPath('examples/Jenkinsfile.restore')
            lightweight(false)
        }
    }
}
