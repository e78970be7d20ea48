import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertTrue

import org.junit.Before
import org.junit.Test
import testsupport.OrderedJson
import testsupport.PipelineTestCase

/**
 * ssmMultiRegionBackup across agents (issue 21): a multi-account plan's units, `parallel: N` branches each on its own
 * node(agentLabel) with a workspace of its own (the harness gives every node a fresh one), the plan handed by stash,
 * each branch's summary fragment stashed and merged by the engine (the real bundle's merge-summaries) at Finalize.
 * The engine's backup is a FakeEngine; notify and merge-summaries are the real bundle.
 */
class SsmMultiRegionBackupAgentsTest extends PipelineTestCase {
    static final List<String> UNITS = ['111111111111/ap-northeast-1', '111111111111/us-west-2', '222222222222/ap-northeast-1',
                                       '222222222222/us-west-2', '333333333333/ap-northeast-1', '333333333333/us-west-2']
    static final List<String> UNIT_STAGES = ['Backup payments-prod ap-northeast-1', 'Backup payments-prod us-west-2', 'Backup 222222222222 ap-northeast-1',
                                             'Backup 222222222222 us-west-2', 'Backup 333333333333 ap-northeast-1', 'Backup 333333333333 us-west-2']

    @Before
    void accounts() {
        engine.accounts = [[accountId: '111111111111', alias: 'payments-prod', regions: ['ap-northeast-1', 'us-west-2']],
                           [accountId: '222222222222', regions: ['ap-northeast-1', 'us-west-2']],
                           [accountId: '333333333333', regions: ['ap-northeast-1', 'us-west-2']]]
    }

    Map json(File file) { (Map) OrderedJson.parse(file.text) }

    /** The workspace of the node allocated n-th (0: Initialize). */
    File agent(int n) { (File) harness.nodes[n].workspace }

    @Test
    void 'six units with parallel 3: one stage each, three branches, every unit on a node of its own, the merged summary is what the branches wrote'() {
        Map summaries = harness.run('ssmMultiRegionBackup', [environment: 'prod', parallel: 3, agentLabel: 'ssm-backup'])

        assertEquals(['Initialize'] + UNIT_STAGES + ['Finalize Report'], harness.stages)
        assertEquals(['failFast', 'units 1', 'units 2', 'units 3'], harness.calls('parallel')[0].args[0].keySet().toList())
        // Initialize, six units, Finalize: eight nodes of the label, eight workspaces
        assertEquals(['ssm-backup'] * 8, harness.nodes*.label)
        assertEquals(8, (harness.nodes*.workspace as Set).size())
        List backups = engine.engineCalls('backup')
        assertEquals(UNITS, backups.collect { "${it.env.SSM_BACKUP_ACCOUNTS}/${it.env.SSM_BACKUP_REGIONS}".toString() })
        assertEquals((1..6).collect { "${agent(it)}/ssm-backup-work".toString() }, backups*.env*.SSM_BACKUP_WORK_DIR)
        // every unit is handed the build's plan in its own workspace: the engine takes the account's plan from it
        assertEquals((1..6).collect { "${agent(it)}/ssm-backup-work/plan.json".toString() }, backups*.env*.SSM_BACKUP_PLAN_FILE)
        assertEquals([null] * 6, backups*.env*.SSM_BACKUP_SSM_HOME_REGION)
        // every branch received the plan by stash, and handed back its fragment
        assertEquals(['ssm-backup-plan'] + (0..5).collect { "ssm-backup-fragment-${it}".toString() }, harness.calls('stash')*.namedArgs*.name)
        (1..6).each { assertTrue(new File(agent(it), 'ssm-backup-work/plan.json').file) }

        Map branchesWrote = [:]
        UNITS.eachWithIndex { String key, int i -> branchesWrote.putAll(json(new File(agent(i + 1), "ssm-backup-work/fragments/${key.replace('/', '_')}.json"))) }
        Map merged = json(new File(agent(7), 'ssm-backup-work/region_summaries.json'))
        assertEquals(UNITS, merged.keySet().toList())
        assertEquals(branchesWrote, merged)
        assertEquals(merged, summaries)
        assertEquals(['SUCCESS'] * 6, merged.values()*.status)
        assertEquals([:], harness.stageResults)
        assertEquals(linked('OK 6/6 units in 3 accounts, 72 parameters'), harness.currentBuild.description)
        assertEquals('111111111111,222222222222,333333333333'.split(',').collectMany { [it, it] }, merged.values()*.accountId)
    }

    @Test
    void 'a branch on its own agent has nothing it was not handed: without the plan stash its unit fails'() {
        engine.accounts = null
        engine.regions = ['ap-northeast-1', 'us-west-2']
        harness.registerAllowedMethod('unstash') { String name -> null }   // the plan never reaches the branches' workspaces

        Throwable error = runFailing('ssmMultiRegionBackup', [environment: 'prod', parallel: 2, agentLabel: 'ssm-backup', failFast: false])

        assertTrue(error.message, error.message.startsWith('FAILED ap-northeast-1 (+1 more region(s) failed): the engine could not be run: ') && error.message.contains('plan.json'))
        assertEquals(['Backup ap-northeast-1': 'FAILURE', 'Backup us-west-2': 'FAILURE'], harness.stageResults)
    }

    @Test
    void 'an interrupted branch is shown as what happened: finished units keep SUCCESS, the interrupted one ABORTED from its fragment, the rest ABORTED'() {
        engine.interrupting['111111111111/us-west-2'] = new InterruptedException('Aborted by admin')

        Throwable error = runFailing('ssmMultiRegionBackup', [environment: 'prod', parallel: 3, agentLabel: 'ssm-backup'])

        assertTrue(error instanceof InterruptedException)
        assertEquals(['Initialize'] + UNIT_STAGES + ['Finalize Report'], harness.stages)
        assertEquals(UNIT_STAGES.drop(1).collectEntries { [(it): 'ABORTED'] }, harness.stageResults)
        Map merged = json(new File(harness.nodes[-1].workspace as File, 'ssm-backup-work/region_summaries.json'))
        // the interrupted branch's fragment was stashed in finally: its unit is recorded as interrupted, never "not started"
        assertEquals(['111111111111/ap-northeast-1': 'SUCCESS', '111111111111/us-west-2': 'FAILED'], merged.collectEntries { [(it.key): it.value.status] })
        assertEquals('interrupted', merged['111111111111/us-west-2'].failureCategory)
        assertEquals(null, merged['111111111111/us-west-2'].runningPid)
        assertEquals('ABORTED', harness.currentBuild.result)
        String description = harness.currentBuild.description
        assertEquals('ABORTED 111111111111 us-west-2 (+4 more unit(s): 4 ABORTED): the build was aborted (by a user or a Jenkins timeout) while it ran; latest.txt was not moved by it', description)
        Map outcomes = json(new File(harness.nodes[-1].workspace as File, 'ssm-backup-work/region_outcomes.json'))
        assertEquals(UNITS.drop(1), outcomes.keySet().toList())
        assertEquals(['ABORTED'] * 5, outcomes.values()*.status)
    }

    @Test
    void 'fail-fast across branches: units taken after a unit was recorded FAILED are skipped by the engine, from its handed fragment'() {
        engine.failures['111111111111/ap-northeast-1'] = 'AccessDenied: ssm:GetParameters'

        Throwable error = runFailing('ssmMultiRegionBackup', [environment: 'prod', parallel: 3, agentLabel: 'ssm-backup'])

        assertEquals('FAILED payments-prod ap-northeast-1: AccessDenied: ssm:GetParameters'.replace('payments-prod', '111111111111'), error.message)
        // units 2 and 3 were taken together with unit 1; unit 4 after unit 1's failure was recorded
        Map merged = json(new File(harness.nodes[-1].workspace as File, 'ssm-backup-work/region_summaries.json'))
        assertEquals(['FAILED', 'SUCCESS', 'SUCCESS', 'SKIPPED', 'SKIPPED', 'SKIPPED'], UNITS.collect { merged[it].status })
        assertEquals('not started: 111111111111/ap-northeast-1 failed (fail-fast; failFast: false backs up every region)', merged[UNITS[3]].failureMessage)
        assertEquals(['Backup payments-prod ap-northeast-1': 'FAILURE'] + UNIT_STAGES.drop(3).collectEntries { [(it): 'NOT_BUILT'] }, harness.stageResults)
        // only the failed unit's fragment was handed to the later branches
        List merges = engine.calls.findAll { it.script.endsWith('merge-summaries') }*.env*.SSM_BACKUP_FRAGMENTS
        assertEquals(4, merges.size())
        assertTrue(merges.take(3).every { it.endsWith('ssm-backup-work/fragments/111111111111_ap-northeast-1.json') && !it.contains(',') })
    }

    @Test
    void 'an account whose role cannot be assumed fails its units in their own stages, with failFast false the others are backed up'() {
        engine.accounts[1] = [accountId: '222222222222', regions: ['ap-northeast-1'], failure: 'Could not assume arn:aws:iam::222222222222:role/x: AccessDenied']
        engine.failures['222222222222/ap-northeast-1'] = 'Could not assume arn:aws:iam::222222222222:role/x: AccessDenied'

        runFailing('ssmMultiRegionBackup', [environment: 'prod', parallel: true, agentLabel: 'ssm-backup', failFast: false])

        assertTrue(harness.log.toString().contains('WARNING: account 222222222222: Could not assume arn:aws:iam::222222222222:role/x: AccessDenied (its units fail)'))
        assertEquals(['Backup 222222222222 ap-northeast-1': 'FAILURE'], harness.stageResults)
        Map merged = json(new File(harness.nodes[-1].workspace as File, 'ssm-backup-work/region_summaries.json'))
        assertEquals(['SUCCESS', 'SUCCESS', 'FAILED', 'SUCCESS', 'SUCCESS'], merged.values()*.status)
        assertEquals('FAILURE', harness.currentBuild.result)
    }

    @Test
    void 'in turn, a multi-account run keeps every unit in the one summary file, on the one agent'() {
        Map summaries = harness.run('ssmMultiRegionBackup', [environment: 'prod', agentLabel: 'ssm-backup'])

        assertEquals(['ssm-backup'], harness.nodes*.label)
        assertEquals(UNITS, summaries.keySet().toList())
        assertEquals(['SUCCESS'] * 6, summaries.values()*.status)
        assertEquals(['Initialize'] + UNIT_STAGES + ['Finalize Report'], harness.stages)
        assertTrue(harness.calls('stash').empty)
    }

    @Test
    void 'parallel must be true, false or a number of branches'() {
        Throwable error = runFailing('ssmMultiRegionBackup', [environment: 'prod', parallel: 'all'])
        assertEquals("ssmMultiRegionBackup: option 'parallel' must be true, false or a number of branches (1 or more), got 'all'", error.message)
        assertTrue(engine.calls.empty)
    }
}
