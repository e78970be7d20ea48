// Job DSL seed: the Admin_Jobs folder (library pinned at folder level) and the daily SSM Parameter Store backup job.
//
// Values that differ per installation come from the seed job's parameters or environment variables
// (Job DSL exposes both as script variables); the defaults below apply when a variable is unset or empty:
//   BACKUP_JOB_FOLDER             folder holding the job                  (Admin_Jobs)
//   BACKUP_JOB_NAME               job name inside the folder              (ssm-multi-region-backup)
//   BACKUP_JOB_LIBRARY_VERSION    library release tag pinned on the folder (v2.0.0)
//   BACKUP_JOB_REPO_URL           git repository of the library and Jenkinsfile
//   BACKUP_JOB_SCM_CREDENTIALS_ID Jenkins credential to read that repository (github-readonly)
//   BACKUP_JOB_AWS_CREDENTIALS_ID AWS credential of the backup role, default of the job's BACKUP_AWS_CREDENTIALS_ID
//                                 (empty: the agent's instance role); the restore job takes another one
//   BACKUP_JOB_RUNBOOK_URL        runbook linked from the job description
// Names deliberately avoid the SSM_BACKUP_ prefix: the engine reads SSM_BACKUP_* variables as its options.

String setting(String name, String fallback) {
    Object value = binding.hasVariable(name) ? binding.getVariable(name) : null
    return value?.toString()?.trim() ? value.toString().trim() : fallback
}

String folderName = setting('BACKUP_JOB_FOLDER', 'Admin_Jobs')
String jobName = setting('BACKUP_JOB_NAME', 'ssm-multi-region-backup')
String libraryVersion = setting('BACKUP_JOB_LIBRARY_VERSION', 'v2.0.0')
String repoUrl = setting('BACKUP_JOB_REPO_URL', 'https://github.com/example-org/ssm-multi-region-backup.git')
String scmCredentialsId = setting('BACKUP_JOB_SCM_CREDENTIALS_ID', 'github-readonly')
String awsCredentialsId = setting('BACKUP_JOB_AWS_CREDENTIALS_ID', '')
String runbookUrl = setting('BACKUP_JOB_RUNBOOK_URL', repoUrl.replaceAll(/\.git$/, '') + '/blob/main/docs/runbooks/ssm-backup.md')

folder(folderName) {
    displayName('Admin Jobs')
    description('Administrative jobs. Shared library ssm-multi-region-backup is pinned here to ' + libraryVersion +
            ' (no version override); change BACKUP_JOB_LIBRARY_VERSION of the seed job to upgrade or roll back.')
    properties {
        folderLibraries {
            libraries {
                libraryConfiguration {
                    name('ssm-multi-region-backup')
                    defaultVersion(libraryVersion)
                    allowVersionOverride(false)
                    implicit(false)
                    includeInChangesets(false)
                    retriever {
                        modernSCM {
                            scm {
                                git {
                                    remote(repoUrl)
                                    credentialsId(scmCredentialsId)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

pipelineJob("${folderName}/${jobName}") {
    description("""Backs up AWS SSM Parameter Store of every configured region in turn (region list:
/jenkins/ENVIRONMENT/backup/region-list in the home region), each into that region's S3 bucket, then reports
per-region results on Slack/email and archives region_summaries.json (never parameter values); the build
description states the outcome and the Test Result trend shows each region.
Expected duration: 2-5 minutes per region. Each region times out after 10 minutes and the whole run after
(regions x 12 + 30) minutes; the library step enforces both (a Pipeline job has no job-level timeout).
Runs daily at 13:00 UTC (22:00 JST); one build at a time.
Runbook: ${runbookUrl}""")
    parameters {
        choiceParam('AGENT_LABEL', ['ec2-fleet-small', 'ec2-fleet-medium', 'ec2-fleet-micro'], 'Agent label the backup runs on')
        choiceParam('ENVIRONMENT', ['dev', 'prod'], 'Environment whose parameters are backed up (/jenkins/ENVIRONMENT/backup/...)')
        booleanParam('DRY_RUN', false, 'Check every region, collect and count its parameters, say what the shrink guard would decide; upload nothing')
        booleanParam('ALLOW_SHRINK', false, 'For this build only: accept a parameter count that fell beyond the shrink guard\'s limit (intended removals)')
        credentialsParam('BACKUP_AWS_CREDENTIALS_ID') {
            type('com.cloudbees.jenkins.plugins.awscredentials.AWSCredentialsImpl')
            required(false)
            defaultValue(awsCredentialsId)
            description('AWS credentials of the backup role (reads SSM, writes the backup buckets, encrypts with the backup keys; ' +
                    'the Pulumi key policies let only this role encrypt). Empty: the agent\'s instance role. Never the restore role.')
        }
        stringParam('JENKINSFILE_BRANCH', 'main', 'Branch of the repository the Jenkinsfile is read from')
    }
    logRotator {
        daysToKeep(30)
        numToKeep(100)
    }
    throttleConcurrentBuilds {
        maxTotal(1)
    }
    properties {
        pipelineTriggers {
            triggers {
                cron {
                    // Jenkins cron runs in the controller's time zone (UTC): 13:00 UTC is 22:00 JST.
                    spec('0 13 * * *')
                }
            }
        }
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
            scriptPath('examples/Jenkinsfile')
            lightweight(false)
        }
    }
}
