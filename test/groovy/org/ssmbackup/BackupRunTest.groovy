package org.ssmbackup

import static org.junit.Assert.assertEquals

import org.junit.Test

class BackupRunTest {
    static final Map CONFIG = [environment: 'dev', failFast: true, parallel: false, regionTimeoutMinutes: 10, dryRun: false, includeTags: true,
            includeLabels: false, path: null, maxShrink: 10, allowShrink: false, allowEmpty: false, requireClientEncryption: false]

    @Test
    void 'fail-fast is the engine decision in every mode: the option is passed as given'() {
        assertEquals(true, BackupRun.regionOptions(CONFIG, 'a', '/w').failFast)
        assertEquals(true, BackupRun.regionOptions(CONFIG + [parallel: true], 'a', '/w').failFast)
        assertEquals(false, BackupRun.regionOptions(CONFIG + [failFast: false], 'a', '/w').failFast)
    }

    @Test
    void 'parallel: false or 1 is in turn, true every unit at once, N at most N branches, anything else is refused'() {
        assertEquals([1, 1, 0, 0, 3, 3, null, null, null], [false, '1', true, 'true', 3, ' 3 ', 0, 'many', -2].collect { BackupRun.parallelism(it) })
        assertEquals([1, 6, 3, 2], [false, true, 3, 9].collect { BackupRun.slots(CONFIG + [parallel: it], it == 9 ? 2 : 6) })
        assertEquals([false, false, true, true], [false, 1, true, 2].collect { BackupRun.spread(CONFIG + [parallel: it]) })
    }

    @Test
    void 'a multi-account plan gives one unit per account and region, staged by alias or account id'() {
        Map plan = [homeRegion: 'ap-northeast-1', units: ['111111111111/us-west-2', '222222222222/us-west-2'],
                    accounts: [[accountId: '111111111111', alias: 'payments-prod'], [accountId: '222222222222']]]
        Map units = BackupRun.units(plan)
        assertEquals(plan.units, units.keys)
        assertEquals(['Backup payments-prod us-west-2', 'Backup 222222222222 us-west-2'], units.keys.collect { units.stages[it] })
        Map options = BackupRun.unitOptions(CONFIG, units, '222222222222/us-west-2', '/w', BackupRun.unitFiles(units, '222222222222/us-west-2', true))
        // The build's plan is handed to the unit: the engine takes the account's plan from it, never reads its configuration again.
        assertEquals([null, null, '222222222222', 'us-west-2', '/w/ssm-backup-work/plan.json'], [options.environment, options.ssmHomeRegion,
                options.accounts, options.regions, options.planFile])
        assertEquals(['/w/ssm-backup-work/handed/222222222222_us-west-2.json', '/w/ssm-backup-work/fragments/222222222222_us-west-2.json'],
                [options.summaryFile, options.summaryFragment])
        assertEquals('ssm-backup-fragment-1', BackupRun.fragmentStash(units.keys, '222222222222/us-west-2'))
    }

    @Test
    void 'in turn a multi-account unit keeps the one summary file and writes a fragment, a single-account region none'() {
        Map units = BackupRun.units([units: ['111111111111/eu-west-1'], accounts: [[accountId: '111111111111']]])
        assertEquals([summary: 'ssm-backup-work/region_summaries.json', fragment: 'ssm-backup-work/fragments/111111111111_eu-west-1.json'],
                BackupRun.unitFiles(units, '111111111111/eu-west-1', false))
        Map single = BackupRun.units([regions: ['eu-west-1']])
        assertEquals([summary: 'ssm-backup-work/region_summaries.json', fragment: null], BackupRun.unitFiles(single, 'eu-west-1', false))
        assertEquals(['Backup eu-west-1'], single.stages.values() as List)
    }

    @Test
    void 'a branch is handed the units the engine recorded failed, and none without fail-fast'() {
        Map outcomes = [a: [status: 'FAILED', recorded: true], b: [status: 'FAILED', recorded: false], c: [status: 'TIMED_OUT', recorded: true],
                        d: [status: 'SUCCESS', recorded: true], e: [status: 'SKIPPED', recorded: true]]
        assertEquals(['a', 'c'], BackupRun.handed(CONFIG, outcomes))
        assertEquals([], BackupRun.handed(CONFIG + [failFast: false], outcomes))
    }

    @Test
    void 'a region has the engine deadline plus the grace on the agent, the whole set every region in turn plus 30'() {
        assertEquals(600, BackupRun.regionOptions(CONFIG, 'a', '/w').regionTimeout)
        assertEquals(12, BackupRun.regionDeadlineMinutes(CONFIG))
        assertEquals(3 * 12 + 30, BackupRun.allRegionsMinutes(CONFIG, 3))
        assertEquals(2 * 12 + 30, BackupRun.allRegionsMinutes(CONFIG + [parallel: 3], 6))
        assertEquals(12 + 30, BackupRun.allRegionsMinutes(CONFIG + [parallel: true], 6))
    }

    @Test
    void 'files live in the work dir of the workspace'() {
        Map options = BackupRun.regionOptions(CONFIG, 'us-west-2', '/w')
        assertEquals(['/w/ssm-backup-work/plan.json', 'us-west-2', '/w/ssm-backup-work/region_summaries.json', '/w/ssm-backup-work'],
                [options.planFile, options.regions, options.summaryFile, options.workDir])
        assertEquals('/w/ssm-backup-work/plan.json', BackupRun.planOptions(CONFIG, '/w').outputFile)
    }
}
