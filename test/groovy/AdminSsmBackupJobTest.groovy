import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertTrue
import static org.junit.Assert.fail

import org.junit.Test
import testsupport.DslNode
import testsupport.JenkinsfileRunner
import testsupport.JobDslRecorder
import testsupport.PipelineHarness

/** The Job DSL seed jobs/admin_ssm_backup_job.groovy, run against a recording stand-in of the Job DSL. */
class AdminSsmBackupJobTest {
    static final File SEED = new File(PipelineHarness.ROOT, 'jobs/admin_ssm_backup_job.groovy')

    DslNode root = JobDslRecorder.run(SEED)
    DslNode folder = root.all('folder')[0]
    DslNode job = root.all('pipelineJob')[0]

    @Test
    void 'defines one folder and one pipeline job inside it'() {
        assertEquals(['folder', 'pipelineJob'], root.children*.name)
        assertEquals('Admin_Jobs', folder.arg)
        assertEquals('Admin_Jobs/ssm-multi-region-backup', job.arg.toString())
    }

    @Test
    void 'pins the library on the folder to a release tag without override'() {
        DslNode library = folder.node('properties.folderLibraries.libraries.libraryConfiguration')
        assertEquals('ssm-multi-region-backup', library.value('name'))
        assertEquals('v2.0.0', library.value('defaultVersion'))
        assertTrue(library.value('defaultVersion') ==~ /v\d+\.\d+\.\d+/)
        assertEquals(false, library.value('allowVersionOverride'))
        assertEquals(false, library.value('implicit'))
        DslNode git = library.node('retriever.modernSCM.scm.git')
        assertEquals('https://github.com/example-org/ssm-multi-region-backup.git', git.value('remote'))
        assertEquals('github-readonly', git.value('credentialsId'))
    }

    @Test
    void 'has the four parameters of the existing job, ALLOW_SHRINK and the backup role credential'() {
        List<DslNode> parameters = job.node('parameters').children
        assertEquals([
                ['choiceParam', 'AGENT_LABEL', ['ec2-fleet-small', 'ec2-fleet-medium', 'ec2-fleet-micro']],
                ['choiceParam', 'ENVIRONMENT', ['dev', 'prod']],
                ['booleanParam', 'DRY_RUN', false],
                ['booleanParam', 'ALLOW_SHRINK', false],
                ['credentialsParam', 'BACKUP_AWS_CREDENTIALS_ID', null],
                ['stringParam', 'JENKINSFILE_BRANCH', 'main'],
        ], parameters.collect { [it.name, it.args[0], it.args.size() > 1 ? it.args[1] : null] })
        assertEquals(1, job.all('parameters').size())
    }

    @Test
    void 'takes the backup role credential as an AWS credentials parameter, defaulting to the seed variable'() {
        DslNode credential = job.node('parameters.credentialsParam')
        assertEquals('com.cloudbees.jenkins.plugins.awscredentials.AWSCredentialsImpl', credential.value('type'))
        assertEquals(false, credential.value('required'))
        assertEquals('', credential.value('defaultValue'))
        assertTrue(credential.value('description').toString().contains('backup role'))
        DslNode custom = JobDslRecorder.run(SEED, [BACKUP_JOB_AWS_CREDENTIALS_ID: 'aws-ssm-backup', RESTORE_JOB_AWS_CREDENTIALS_ID: 'aws-ssm-restore'])
        assertEquals('aws-ssm-backup', custom.all('pipelineJob')[0].value('parameters.credentialsParam.defaultValue'))
    }

    @Test
    void 'the Jenkinsfile hands the backup step the backup credential: the job parameter, else the folder variable'() {
        Map fromParameter = JenkinsfileRunner.run('examples/Jenkinsfile', 'ssmMultiRegionBackup',
                [ENVIRONMENT: 'prod', DRY_RUN: false, AGENT_LABEL: 'x', BACKUP_AWS_CREDENTIALS_ID: 'aws-ssm-backup'],
                [BACKUP_AWS_CREDENTIALS_ID: 'folder-backup', RESTORE_AWS_CREDENTIALS_ID: 'aws-ssm-restore'])
        assertEquals('aws-ssm-backup', fromParameter.credentialsId)
        assertEquals('prod', fromParameter.environment)
        assertEquals(false, fromParameter.allowShrink)
        assertEquals(true, JenkinsfileRunner.run('examples/Jenkinsfile', 'ssmMultiRegionBackup', [ENVIRONMENT: 'prod', ALLOW_SHRINK: true], [:]).allowShrink)
        Map fromFolder = JenkinsfileRunner.run('examples/Jenkinsfile', 'ssmMultiRegionBackup', [ENVIRONMENT: 'dev', BACKUP_AWS_CREDENTIALS_ID: ''],
                [BACKUP_AWS_CREDENTIALS_ID: 'folder-backup', RESTORE_AWS_CREDENTIALS_ID: 'aws-ssm-restore'])
        assertEquals('folder-backup', fromFolder.credentialsId)
        assertEquals('', JenkinsfileRunner.run('examples/Jenkinsfile', 'ssmMultiRegionBackup', [ENVIRONMENT: 'dev'],
                [RESTORE_AWS_CREDENTIALS_ID: 'aws-ssm-restore']).credentialsId)
    }

    @Test
    void 'runs daily at 13:00 UTC, one build at a time, keeping 30 days or 100 builds'() {
        assertEquals('0 13 * * *', job.value('properties.pipelineTriggers.triggers.cron.spec'))
        assertEquals(1, job.value('throttleConcurrentBuilds.maxTotal'))
        assertEquals(30, job.value('logRotator.daysToKeep'))
        assertEquals(100, job.value('logRotator.numToKeep'))
    }

    @Test
    void 'describes the run, its expected duration and timeouts, and links the runbook'() {
        String description = job.value('description').toString()
        assertTrue(description.contains('every configured region in turn'))
        assertTrue(description.contains('Expected duration: 2-5 minutes per region'))
        assertTrue(description.contains('Each region times out after 10 minutes and the whole run after\n(regions x 12 + 30) minutes'))
        assertTrue(description.contains('Runbook: https://github.com/example-org/ssm-multi-region-backup/blob/main/docs/runbooks/ssm-backup.md'))
    }

    @Test
    void 'reads the example Jenkinsfile from the branch chosen at build time'() {
        DslNode cpsScm = job.node('definition.cpsScm')
        assertEquals('examples/Jenkinsfile', cpsScm.value('scriptPath'))
        assertEquals(false, cpsScm.value('lightweight'))
        assertEquals('${JENKINSFILE_BRANCH}', cpsScm.value('scm.git.branch'))
        assertEquals('https://github.com/example-org/ssm-multi-region-backup.git', cpsScm.value('scm.git.remote.url'))
        assertTrue(new File(PipelineHarness.ROOT, cpsScm.value('scriptPath').toString()).file)
    }

    @Test
    void 'takes per-installation values from the seed job variables'() {
        DslNode custom = JobDslRecorder.run(SEED, [BACKUP_JOB_LIBRARY_VERSION: 'v1.4.2', BACKUP_JOB_REPO_URL: 'git@git.internal:infra/ssm.git',
                BACKUP_JOB_SCM_CREDENTIALS_ID: 'git-ssh', BACKUP_JOB_FOLDER: 'Ops', BACKUP_JOB_RUNBOOK_URL: 'https://wiki/ssm', BACKUP_JOB_NAME: ''])
        DslNode library = custom.all('folder')[0].node('properties.folderLibraries.libraries.libraryConfiguration')
        assertEquals('v1.4.2', library.value('defaultVersion'))
        assertEquals('git@git.internal:infra/ssm.git', library.value('retriever.modernSCM.scm.git.remote'))
        assertEquals('git-ssh', custom.all('pipelineJob')[0].value('definition.cpsScm.scm.git.remote.credentials'))
        assertEquals('Ops/ssm-multi-region-backup', custom.all('pipelineJob')[0].arg.toString())
        assertTrue(custom.all('pipelineJob')[0].value('description').toString().endsWith('Runbook: https://wiki/ssm'))
    }

    @Test
    void 'the recorder rejects a DSL method the Job DSL does not have there'() {
        File typo = File.createTempFile('seed', '.groovy')
        typo.text = "pipelineJob('x') { parameters { choiceParameter('A', ['b'], 'c') } }"
        try {
            JobDslRecorder.run(typo)
            fail('a misspelt DSL method was accepted')
        } catch (MissingMethodException e) {
            assertEquals('choiceParameter', e.method)
        } finally {
            typo.delete()
        }
    }
}
