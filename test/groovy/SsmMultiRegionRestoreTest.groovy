import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertFalse
import static org.junit.Assert.assertTrue

import org.junit.Before
import org.junit.Test
import testsupport.PipelineTestCase
import testsupport.ShCall

/** Unit tests of vars/ssmMultiRegionRestore.groovy; the engine's restore command is played by the FakeEngine (restore_summary.json). */
class SsmMultiRegionRestoreTest extends PipelineTestCase {
    final List<Map> slackSent = []
    final List<Map> inputs = []

    @Before
    void plugins() {
        harness.registerAllowedMethod('input') { Map spec -> inputs << spec; null }
        harness.registerAllowedMethod('slackSend') { Map spec -> slackSent << spec; null }
        harness.registerAllowedMethod('emailext') { Map spec -> null }
    }

    List<ShCall> getRestores() { engine.engineCalls('restore') }

    List<ShCall> getNotifies() { engine.engineCalls('notify') }

    @Test
    void 'plans only by default (DRY_RUN), shows the plan and writes nothing'() {
        Map summary = harness.run('ssmMultiRegionRestore', [environment: 'dev', region: 'us-west-2'])

        assertEquals(['Restore Plan'], harness.stages)
        assertEquals(1, restores.size())
        assertEquals('false', restores[0].env.SSM_BACKUP_APPLY)
        assertEquals('plan', summary.mode)
        assertEquals([], inputs)
        String log = harness.log.toString()
        assertTrue(log.contains('  create  /app/a'))
        assertTrue(log, log.contains('from us-west-2 into us-west-2: create=1 update=0 delete=0 unchanged=1 differs-not-overwritten=1'))
        assertTrue(log.contains('  skip    /app/c  value differs, Description (differs; overwrite updates it)'))
        assertTrue(log, log.contains('NEXT        dry run: nothing was written'))
        assertTrue(log, log.contains('STARTED BY  Jane Doe (jdoe)'))   // from currentBuild.getBuildCauses()
        assertEquals('DRY RUN RESTORE PLAN us-west-2 -> us-west-2: create=1 update=0 unchanged=1 differs-not-overwritten=1', harness.currentBuild.description)
        assertEquals('ssm-backup-work/restore_summary.json', harness.calls('archiveArtifacts')[0].namedArgs.artifacts)
    }

    @Test
    void 'waits for approval, then applies with every option in the environment'() {
        harness.run('ssmMultiRegionRestore', [environment: 'prod', region: 'us-west-2', targetRegion: 'eu-central-1', dryRun: false,
                overwrite: 'true', names: ['/app/a', '/app/c'], kmsKeyMap: 'alias/app=alias/dr', archive: '2026-11-28/a.tar.gz', approvers: 'ops',
                allowUnencryptedArchive: '2026-11-28/a.tar.gz'])

        assertEquals(['Restore Plan', 'Approval', 'Restore Apply'], harness.stages)
        assertEquals([[message: 'Restore into eu-central-1: create=1 update=0 delete=0 unchanged=1 differs-not-overwritten=1?', ok: 'Restore', submitter: 'ops']], inputs)
        // plan 30 (+1 backstop), report 10 (+1), approval 60, apply 120 (+1), report; the engine itself is killed at 30 and 120
        assertEquals([31, 11, 60, 121, 11], harness.calls('timeout')*.args*.getAt(0)*.time)
        assertEquals(['1800', '7200'], restores*.env*.SSM_ENGINE_DEADLINE_SEC)
        ShCall apply = restores[1]
        String summaryFile = "${harness.workspace}/ssm-backup-work/restore_summary.json"
        assertEquals([SSM_BACKUP_ENVIRONMENT: 'prod', SSM_BACKUP_REGION: 'us-west-2', SSM_BACKUP_ARCHIVE: '2026-11-28/a.tar.gz',
                      SSM_BACKUP_TARGET_REGION: 'eu-central-1', SSM_BACKUP_NAMES: '/app/a,/app/c', SSM_BACKUP_OVERWRITE: 'true',
                      SSM_BACKUP_KMS_KEY_MAP: 'alias/app=alias/dr', SSM_BACKUP_EXACT_TAGS: 'false', SSM_BACKUP_PRUNE: 'false',
                      SSM_BACKUP_ALLOW_UNENCRYPTED_ARCHIVE: '2026-11-28/a.tar.gz', SSM_BACKUP_PUT_RATE: '3', SSM_BACKUP_SUMMARY_FILE: summaryFile, SSM_BACKUP_APPLY: 'true'],
                apply.env.findAll { it.key.startsWith('SSM_BACKUP_') && it.key != 'SSM_BACKUP_ERROR_FILE' })
        assertTrue(apply.env.SSM_BACKUP_ERROR_FILE.endsWith('@tmp/ssm-backup/restore-apply/error.json'))
        assertTrue(restores[0].env.SSM_BACKUP_ERROR_FILE.endsWith('@tmp/ssm-backup/restore-plan/error.json'))
    }

    @Test
    void 'the apply restores the archive the approved plan read, never latest or asOf resolved again'() {
        // A backup landing during the approval wait would move latest.txt: the apply must write what was approved.
        harness.run('ssmMultiRegionRestore', [environment: 'dev', region: 'us-west-2', dryRun: false])
        assertEquals(['latest', '2026-11-28/a.tar.gz'], restores*.env*.SSM_BACKUP_ARCHIVE)

        harness.run('ssmMultiRegionRestore', [environment: 'dev', region: 'us-west-2', dryRun: false, asOf: '2026-11-28T09:00:00Z', prune: true])
        List<ShCall> both = restores.takeRight(2)
        assertEquals([['latest', '2026-11-28T09:00:00Z'], ['2026-11-28/a.tar.gz', null]],
                both.collect { [it.env.SSM_BACKUP_ARCHIVE, it.env.SSM_BACKUP_AS_OF] })
        assertEquals(['false', 'true'], both*.env*.SSM_BACKUP_APPLY)
    }

    @Test
    void 'autoApprove applies without input, and nothing to write skips the apply'() {
        harness.run('ssmMultiRegionRestore', [environment: 'dev', region: 'us-west-2', dryRun: false, autoApprove: true])
        assertEquals(['Restore Plan', 'Restore Apply'], harness.stages)
        assertEquals([], inputs)

        engine.restorePlan = [create: [], update: [], unchanged: ['/app/b'], differs: [:], delete: []]
        harness.stages.clear()
        harness.run('ssmMultiRegionRestore', [environment: 'dev', region: 'us-west-2', dryRun: false])
        assertEquals(['Restore Plan'], harness.stages)
        assertTrue(harness.log.toString().contains('nothing to write: SSM already matches the archive'))
    }

    @Test
    void 'a refused archive or missing KMS key fails the plan with the engine message, in the description too'() {
        engine.restoreError = [exitCode: 2, category: 'config', message: 'KMS key alias/app does not exist in eu-central-1 (used by 1: /app/a): map it with --kms-key-map']
        Throwable error = runFailing('ssmMultiRegionRestore', [environment: 'dev', region: 'us-west-2', targetRegion: 'eu-central-1'])

        assertEquals("Restore plan failed: ${engine.restoreError.message}".toString(), error.message)
        assertEquals('FAILURE', harness.currentBuild.result)
        assertEquals(0, harness.calls('archiveArtifacts').size())   // no summary was written
        assertEquals("DRY RUN FAILED restore: Restore plan failed: ${engine.restoreError.message}".toString(), harness.currentBuild.description)
    }

    @Test
    void 'failed parameters are named and the build fails, telling to run again'() {
        engine.restoreFailures = [[name: '/app/a', error: 'AccessDeniedException: not authorized']]
        Throwable error = runFailing('ssmMultiRegionRestore', [environment: 'dev', region: 'us-west-2', dryRun: false, autoApprove: true])

        assertEquals('Restore apply failed: Some parameters failed or are pending: see restore_summary.json (failed, pending) (run the job again to finish the rest)', error.message)
        assertTrue(harness.log.toString().contains('FAILED /app/a: AccessDeniedException: not authorized'))
    }

    @Test
    void 'requires environment and region and rejects unknown options'() {
        assertEquals("ssmMultiRegionRestore: option 'region' is required, e.g. ssmMultiRegionRestore(region: params.REGION)",
                runFailing('ssmMultiRegionRestore', [environment: 'dev']).message)
        assertTrue(runFailing('ssmMultiRegionRestore', [environment: 'dev', region: 'x', force: true]).message
                .startsWith('ssmMultiRegionRestore: unknown option(s) force; valid options: environment, region, archive'))
        assertEquals([], restores)
    }

    @Test
    void 'an aborted approval runs no apply'() {
        harness.registerAllowedMethod('input') { Map spec -> throw new InterruptedException('aborted by ops') }
        try {
            harness.run('ssmMultiRegionRestore', [environment: 'dev', region: 'us-west-2', dryRun: false])
        } catch (InterruptedException expected) {
            assertEquals('ABORTED', harness.currentBuild.result)
        }
        assertEquals(1, restores.size())
        assertFalse(harness.stages.contains('Restore Apply'))
    }

    @Test
    void 'notifies the plan, then what was applied'() {
        harness.run('ssmMultiRegionRestore', [environment: 'prod', region: 'us-west-2', dryRun: false, autoApprove: true,
                slackChannel: '#infra-alerts', email: 'ops@example.com'])

        assertEquals(2, slackSent.size())
        // Slack mrkdwn: '>' is sent as &gt; (Slack shows it as >).
        assertEquals(':clipboard: SSM restore plan prod: RESTORE PLAN us-west-2 -&gt; us-west-2: create=1 update=0 unchanged=1 differs-not-overwritten=1 ' +
                '(started by Jane Doe (jdoe))', slackSent[0].message)
        assertTrue(slackSent[0].toString().contains('*next:* apply pending'))
        assertEquals(':white_check_mark: SSM restore prod: RESTORED us-west-2 -&gt; us-west-2: created 1, updated 0 (started by Jane Doe (jdoe))', slackSent[1].message)
        assertEquals(['[PLAN] SSM restore plan prod - Admin_Jobs/ssm-multi-region-backup #42', '[OK] SSM restore prod - Admin_Jobs/ssm-multi-region-backup #42'],
                harness.calls('emailext')*.namedArgs*.subject)
        assertEquals('RESTORED us-west-2 -> us-west-2: created 1, updated 0', harness.currentBuild.description)
        assertEquals(['restore', 'restore'], notifies*.env*.SSM_BACKUP_KIND)
    }

    @Test
    void 'a dry-run restore says so in Slack and the email subject'() {
        harness.run('ssmMultiRegionRestore', [environment: 'dev', region: 'us-west-2', slackChannel: '#ops', email: 'ops@example.com'])

        assertTrue(slackSent[0].message, slackSent[0].message.startsWith('[DRY RUN] :clipboard: SSM restore plan dev: RESTORE PLAN'))
        assertEquals('[DRY RUN] [PLAN] SSM restore plan dev - Admin_Jobs/ssm-multi-region-backup #42', harness.calls('emailext')[0].namedArgs.subject)
    }

    @Test
    void 'a failed apply notifies the failed parameters once, and an aborted approval notifies ABORTED'() {
        engine.restoreFailures = [[name: '/app/a', error: 'AccessDeniedException: not authorized']]
        runFailing('ssmMultiRegionRestore', [environment: 'dev', region: 'us-west-2', dryRun: false, autoApprove: true, slackChannel: '#ops'])
        String applied = slackSent[1].toString()
        assertTrue(applied, slackSent[1].message.startsWith(':x: SSM restore dev: FAILED restore us-west-2 -&gt; us-west-2: 1 parameter(s) failed, first /app/a'))
        assertEquals(4, applied.split('AccessDeniedException: not authorized', -1).length)   // the preview (message, fallback) and the FAILED line

        setUpHarness()
        plugins()
        engine.restoreFailures = []
        slackSent.clear()
        harness.registerAllowedMethod('input') { Map spec -> throw new InterruptedException('aborted by ops') }
        runFailing('ssmMultiRegionRestore', [environment: 'dev', region: 'us-west-2', dryRun: false, slackChannel: '#ops'])
        assertEquals(2, slackSent.size())
        assertTrue(slackSent[1].message, slackSent[1].message.startsWith(':no_entry_sign: SSM restore plan dev: ABORTED restore us-west-2 -&gt; us-west-2: nothing was written'))
        assertEquals('ABORTED restore us-west-2 -> us-west-2: nothing was written', harness.currentBuild.description)
    }

    @Test
    void 'a prune-only plan is shown with its deletions, approved with the delete count, and applied'() {
        engine.restorePlan = [create: [], update: [], unchanged: ['/app/b'], differs: [:], delete: ['/app/old', '/app/gone']]

        Map summary = harness.run('ssmMultiRegionRestore', [environment: 'dev', region: 'us-west-2', dryRun: false, prune: true])

        assertEquals(['Restore Plan', 'Approval', 'Restore Apply'], harness.stages)
        assertEquals('Restore into us-west-2: create=0 update=0 delete=2 unchanged=1 differs-not-overwritten=0? It DELETES 2 parameter(s): ' +
                'see the plan above.', inputs[0].message)
        String log = harness.log.toString()
        assertTrue(log, log.contains('  delete  /app/old\n  delete  /app/gone'))
        assertEquals(['false', 'true'], restores*.env*.SSM_BACKUP_APPLY)
        assertEquals(['true', 'true'], restores*.env*.SSM_BACKUP_PRUNE)
        assertEquals(['/app/old', '/app/gone'], summary.deleted)
    }

    @Test
    void 'a plan without writeCount fails naming the field, applies nothing and is reported as a failure'() {
        engine.restoreWriteCount = false

        Throwable error = runFailing('ssmMultiRegionRestore', [environment: 'dev', region: 'us-west-2', dryRun: false, autoApprove: true])

        assertEquals('Restore plan failed: restore_summary.json has no writeCount (got nothing): the engine bundle and the library ship together; ' +
                'use the resources/ of this library version', error.message)
        assertEquals(1, restores.size())
        assertEquals('FAILURE', notifies[-1].env.SSM_BACKUP_RESULT)
    }

    @Test
    void 'a plan or apply that outlives its deadline is killed on the agent and fails naming the option'() {
        harness.shHandler = { ShCall call -> call.script.startsWith('command -v') ? 0 : (call.script.contains('notify') ? harness.runForReal(call) : 124) }

        Throwable error = runFailing('ssmMultiRegionRestore', [environment: 'dev', region: 'us-west-2', planTimeoutMinutes: 5])

        assertEquals('Restore plan failed: stopped at its 5-minute deadline (planTimeoutMinutes)', error.message)
        assertEquals('FAILURE', harness.currentBuild.result)
    }

    @Test
    void 'archive choose lists the archives, asks with latest first, and plans the one picked'() {
        harness.registerAllowedMethod('input') { Map spec -> inputs << spec; spec.parameters[0].choices[2] }
        harness.run('ssmMultiRegionRestore', [environment: 'dev', region: 'us-west-2', archive: 'choose', account: '111111111111'])

        assertEquals(['Choose Archive', 'Restore Plan'], harness.stages)
        ShCall list = engine.engineCalls('list')[0]
        assertEquals(['dev', 'us-west-2', '111111111111', 'json', "${harness.workspace}/ssm-backup-work/archives.json".toString()],
                ['ENVIRONMENT', 'REGION', 'ACCOUNT', 'OUTPUT', 'OUTPUT_FILE'].collect { list.env["SSM_BACKUP_${it}".toString()] })
        Map parameter = inputs[0].parameters[0]
        assertEquals(['ChoiceParameterDefinition', 'ARCHIVE'], [parameter.$class, parameter.name])
        assertEquals(['latest  (2026-11-28 02:00Z, 120 parameters: 2026-11-28/ssm-backup-dev-us-west-2-20261128_020000.tar.gz)',
                      '2026-11-28/ssm-backup-dev-us-west-2-20261128_020000.tar.gz  (2026-11-28 02:00Z, 120 parameters)',
                      '2026-11-27/ssm-backup-dev-us-west-2-20261127_020000.tar.gz  (2026-11-27 02:00Z, ? parameters (older version))'], parameter.choices)
        assertTrue(parameter.description.contains('1 archive(s) refused by the shrink guard are not offered'))
        assertEquals('2026-11-27/ssm-backup-dev-us-west-2-20261127_020000.tar.gz', restores[0].env.SSM_BACKUP_ARCHIVE)
        assertEquals(60, harness.calls('timeout')*.args*.getAt(0)*.time[0])   // the wait: approvalTimeoutMinutes (the list has its agent-side deadline)
    }

    @Test
    void 'archive choose: picking latest plans the archive the label showed, not what latest-txt names by then'() {
        harness.registerAllowedMethod('input') { Map spec -> inputs << spec; spec.parameters[0].choices[0] }
        harness.run('ssmMultiRegionRestore', [environment: 'dev', region: 'us-west-2', archive: 'choose'])
        assertEquals('2026-11-28/ssm-backup-dev-us-west-2-20261128_020000.tar.gz', restores[0].env.SSM_BACKUP_ARCHIVE)
    }

    @Test
    void 'archive choose with asOf asks nothing and restores latest at asOf, a failed list stops before the plan'() {
        harness.run('ssmMultiRegionRestore', [environment: 'dev', region: 'us-west-2', archive: 'choose', asOf: '2026-11-28'])
        assertEquals([], inputs)
        assertEquals([], engine.engineCalls('list'))
        assertEquals(['latest', '2026-11-28'], [restores[0].env.SSM_BACKUP_ARCHIVE, restores[0].env.SSM_BACKUP_AS_OF])

        engine.listError = 'AccessDenied: s3:ListBucket'
        harness.stages.clear()
        Throwable failed = runFailing('ssmMultiRegionRestore', [environment: 'dev', region: 'us-west-2', archive: 'choose'])
        assertEquals(['Choose Archive'], harness.stages)
        assertEquals(1, restores.size())
        assertEquals('Could not list the archives of us-west-2: AccessDenied: s3:ListBucket', failed.message)
    }

    @Test
    void 'archive choose with autoApprove is refused before anything runs, in one line'() {
        Throwable failed = runFailing('ssmMultiRegionRestore', [environment: 'dev', region: 'us-west-2', archive: 'choose', autoApprove: true, dryRun: false])
        assertEquals([], engine.calls)
        assertEquals([], harness.stages)
        String line = failed.message
        assertEquals("ssmMultiRegionRestore: archive: 'choose' waits for a person to pick the archive, and autoApprove never waits: " +
                "give archive: 'latest' or an object key, or asOf", line)
    }

    @Test
    void 'notify names who started the restore: the user, or the cause in its own words'() {
        harness.run('ssmMultiRegionRestore', [environment: 'dev', region: 'us-west-2'])
        assertEquals(['Jane Doe (jdoe)'], notifies*.env*.SSM_BACKUP_STARTED_BY)

        harness.currentBuild.buildCauses = [[_class: 'hudson.triggers.TimerTrigger$TimerTriggerCause', shortDescription: 'Started by timer']]
        engine.calls.clear()
        harness.run('ssmMultiRegionRestore', [environment: 'dev', region: 'us-west-2'])
        assertEquals(['Started by timer'], notifies*.env*.SSM_BACKUP_STARTED_BY)
    }

    @Test
    void 'account and targetAccount reach the engine, the plan and the approval name both accounts'() {
        harness.run('ssmMultiRegionRestore', [environment: 'prod', region: 'us-west-2', account: '111111111111', targetAccount: '222222222222',
                dryRun: false])
        assertEquals([['111111111111', '222222222222']] * 2, restores.collect { [it.env.SSM_BACKUP_ACCOUNT, it.env.SSM_BACKUP_TARGET_ACCOUNT] })
        assertTrue(harness.log.toString(), harness.log.toString().contains('from account 111111111111 us-west-2 into account 222222222222 us-west-2: create=1'))
        assertTrue(inputs[0].message, inputs[0].message.startsWith('Restore into account 222222222222 us-west-2: create=1'))

        engine.calls.clear()
        inputs.clear()
        harness.run('ssmMultiRegionRestore', [environment: 'prod', region: 'us-west-2', dryRun: false])
        assertEquals([null, null], [restores[0].env.SSM_BACKUP_ACCOUNT, restores[0].env.SSM_BACKUP_TARGET_ACCOUNT])
        assertTrue(inputs[0].message.startsWith('Restore into us-west-2: create=1'))
    }
}
