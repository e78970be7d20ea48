import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertTrue
import static org.junit.Assert.fail

import org.junit.Test
import testsupport.DslNode
import testsupport.JenkinsfileRunner
import testsupport.JobDslRecorder
import testsupport.PipelineHarness

/** The Job DSL seed jobs/admin_ssm_restore_job.groovy, run against the recording stand-in of the Job DSL. */
class AdminSsmRestoreJobTest {
    static final File SEED = new File(PipelineHarness.ROOT, 'jobs/admin_ssm_restore_job.groovy')

    DslNode root = JobDslRecorder.run(SEED)
    DslNode job = root.all('pipelineJob')[0]

    @Test
    void 'defines the restore job in the backup job folder, leaving the folder to the backup seed'() {
        assertEquals(['pipelineJob'], root.children*.name)
        assertEquals('Admin_Jobs/ssm-multi-region-restore', job.arg.toString())
        assertEquals('Ops/restore', JobDslRecorder.run(SEED, [BACKUP_JOB_FOLDER: 'Ops', RESTORE_JOB_NAME: 'restore']).all('pipelineJob')[0].arg.toString())
    }

    @Test
    void 'has the old restore job parameters (DRY_RUN default true, FORCE_OVERWRITE) and the CLI options'() {
        List<List> parameters = job.node('parameters').children.collect { [it.name, it.args[0], it.args.size() > 1 ? it.args[1] : null] }
        assertEquals([
                ['choiceParam', 'AGENT_LABEL', ['ec2-fleet-small', 'ec2-fleet-medium', 'ec2-fleet-micro']],
                ['choiceParam', 'ENVIRONMENT', ['dev', 'prod']],
                ['stringParam', 'REGION', 'ap-northeast-1'],
                ['stringParam', 'ARCHIVE', 'choose'],
                ['stringParam', 'AS_OF', ''],
                ['stringParam', 'ACCOUNT', ''],
                ['stringParam', 'TARGET_ACCOUNT', ''],
                ['stringParam', 'TARGET_REGION', ''],
                ['stringParam', 'PARAMETER_PATH', ''],
                ['stringParam', 'NAMES', ''],
                ['stringParam', 'KMS_KEY_MAP', ''],
                ['booleanParam', 'FORCE_OVERWRITE', false],
                ['booleanParam', 'DRY_RUN', true],
                ['credentialsParam', 'RESTORE_AWS_CREDENTIALS_ID', null],
                ['stringParam', 'JENKINSFILE_BRANCH', 'main'],
        ], parameters)
    }

    @Test
    void 'takes the restore role credential as an AWS credentials parameter, defaulting to the seed variable'() {
        DslNode credential = job.node('parameters.credentialsParam')
        assertEquals('com.cloudbees.jenkins.plugins.awscredentials.AWSCredentialsImpl', credential.value('type'))
        assertEquals('', credential.value('defaultValue'))
        assertTrue(credential.value('description').toString().contains('restore role'))
        DslNode custom = JobDslRecorder.run(SEED, [BACKUP_JOB_AWS_CREDENTIALS_ID: 'aws-ssm-backup', RESTORE_JOB_AWS_CREDENTIALS_ID: 'aws-ssm-restore'])
        assertEquals('aws-ssm-restore', custom.all('pipelineJob')[0].value('parameters.credentialsParam.defaultValue'))
    }

    @Test
    void 'the seed refuses one credential for both roles'() {
        try {
            JobDslRecorder.run(SEED, [BACKUP_JOB_AWS_CREDENTIALS_ID: 'aws-ssm', RESTORE_JOB_AWS_CREDENTIALS_ID: ' aws-ssm '])
            fail('the restore job was given the backup credential')
        } catch (IllegalArgumentException e) {
            assertTrue(e.message, e.message.startsWith("RESTORE_JOB_AWS_CREDENTIALS_ID and BACKUP_JOB_AWS_CREDENTIALS_ID both name 'aws-ssm'"))
        }
    }

    @Test
    void 'the Jenkinsfile hands the restore step the restore credential, never the backup one'() {
        Map env = [BACKUP_AWS_CREDENTIALS_ID: 'aws-ssm-backup', RESTORE_AWS_CREDENTIALS_ID: 'folder-restore']
        Map fromParameter = JenkinsfileRunner.run('examples/Jenkinsfile.restore', 'ssmMultiRegionRestore',
                [ENVIRONMENT: 'prod', REGION: 'us-west-2', RESTORE_AWS_CREDENTIALS_ID: 'aws-ssm-restore'], env)
        assertEquals('aws-ssm-restore', fromParameter.credentialsId)
        assertEquals('us-west-2', fromParameter.region)
        assertEquals('folder-restore', JenkinsfileRunner.run('examples/Jenkinsfile.restore', 'ssmMultiRegionRestore',
                [ENVIRONMENT: 'prod', RESTORE_AWS_CREDENTIALS_ID: ''], env).credentialsId)
        assertEquals('', JenkinsfileRunner.run('examples/Jenkinsfile.restore', 'ssmMultiRegionRestore', [ENVIRONMENT: 'prod'],
                [BACKUP_AWS_CREDENTIALS_ID: 'aws-ssm-backup']).credentialsId)
    }

    @Test
    void 'runs one build at a time, never on a schedule, from the restore Jenkinsfile'() {
        assertEquals(1, job.value('throttleConcurrentBuilds.maxTotal'))
        assertEquals([], job.all('cron'))
        DslNode cpsScm = job.node('definition.cpsScm')
        assertEquals('examples/Jenkinsfile.restore', cpsScm.value('scriptPath'))
        assertEquals('${JENKINSFILE_BRANCH}', cpsScm.value('scm.git.branch'))
        File jenkinsfile = new File(PipelineHarness.ROOT, cpsScm.value('scriptPath').toString())
        assertTrue(jenkinsfile.text.contains('ssmMultiRegionRestore('))
        ['ENVIRONMENT', 'REGION', 'ARCHIVE', 'AS_OF', 'ACCOUNT', 'TARGET_ACCOUNT', 'TARGET_REGION', 'PARAMETER_PATH', 'NAMES', 'FORCE_OVERWRITE', 'KMS_KEY_MAP', 'DRY_RUN', 'AGENT_LABEL']
                .each { assertTrue("Jenkinsfile does not pass ${it}", jenkinsfile.text.contains("params.${it}")) }
    }

    @Test
    void 'describes the rules and links the runbook'() {
        String description = job.value('description').toString()
        assertTrue(description.contains('Never deletes a parameter'))
        assertTrue(description.contains('Runbook: https://github.com/example-org/ssm-multi-region-backup/blob/main/docs/runbooks/ssm-backup.md'))
    }
}
