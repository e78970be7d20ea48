package org.ssmbackup

import static org.junit.Assert.assertEquals

import org.junit.Test

class BackupRunTest {
    static final Map CONFIG = [environment: 'dev', failFast: true, parallel: false, regionTimeoutMinutes: 10, dryRun: false, includeTags: true,
            includeLabels: false, path: null, maxShrink: 10, allowShrink: false, allowEmpty: false, requireClientEncryption: false]

    @Test
    void 'regions in turn keep fail-fast, parallel regions all run, so timing never decides which'() {
        assertEquals(true, BackupRun.regionOptions(CONFIG, 'a', '/w').failFast)
        assertEquals(false, BackupRun.regionOptions(CONFIG + [parallel: true], 'a', '/w').failFast)
        assertEquals(false, BackupRun.regionOptions(CONFIG + [failFast: false], 'a', '/w').failFast)
    }

    @Test
    void 'a region has the engine deadline plus the grace on the agent, the whole set every region in turn plus 30'() {
        assertEquals(600, BackupRun.regionOptions(CONFIG, 'a', '/w').regionTimeout)
        assertEquals(12, BackupRun.regionDeadlineMinutes(CONFIG))
        assertEquals(3 * 12 + 30, BackupRun.allRegionsMinutes(CONFIG, 3))
    }

    @Test
    void 'files live in the work dir of the workspace'() {
        Map options = BackupRun.regionOptions(CONFIG, 'us-west-2', '/w')
        assertEquals(['/w/ssm-backup-work/plan.json', 'us-west-2', '/w/ssm-backup-work/region_summaries.json', '/w/ssm-backup-work'],
                [options.planFile, options.regions, options.summaryFile, options.workDir])
        assertEquals('/w/ssm-backup-work/plan.json', BackupRun.planOptions(CONFIG, '/w').outputFile)
    }
}
