package org.ssmbackup

import static org.junit.Assert.assertEquals
import static org.junit.Assert.assertNull

import org.junit.Test

class StepOptionsTest {
    static final Map DEFAULTS = [environment: null, dryRun: false, minutes: 10, regions: null, summaries: [:], engineEnv: []]

    @Test
    void 'coerces values by the type of their default'() {
        Map config = StepOptions.check('s', DEFAULTS,
                [environment: ' dev ', dryRun: 'true', minutes: '15', regions: ['a', ' b'], summaries: [x: 1], engineEnv: ['A=1', 'B=2']], ['environment'])
        assertEquals([environment: 'dev', dryRun: true, minutes: 15, regions: 'a,b', summaries: [x: 1], engineEnv: ['A=1', 'B=2']], config)
        assertNull(StepOptions.check('s', DEFAULTS, [environment: 'dev'], ['environment']).problem)
    }

    @Test
    void 'blank or null keeps the default'() {
        assertEquals(10, StepOptions.check('s', DEFAULTS, [environment: 'dev', minutes: ' ', dryRun: null]).minutes)
        assertEquals(false, StepOptions.check('s', DEFAULTS, [environment: 'dev', dryRun: null]).dryRun)
    }

    @Test
    void 'names unknown and missing options and a bad number, with how to fix it'() {
        assertEquals('s: unknown option(s) a, b; valid options: environment, dryRun, minutes, regions, summaries, engineEnv',
                StepOptions.check('s', DEFAULTS, [b: 1, a: 2, environment: 'dev']).problem)
        assertEquals("s: option 'environment' is required, e.g. s(environment: params.ENVIRONMENT)", StepOptions.check('s', DEFAULTS, [:]).problem)
        assertEquals("s: option 'minutes' must be a positive whole number, got '0'", StepOptions.check('s', DEFAULTS, [environment: 'd', minutes: 0]).problem)
        assertEquals("s: option 'minutes' must be a positive whole number, got 'ten'", StepOptions.check('s', DEFAULTS, [environment: 'd', minutes: 'ten']).problem)
    }

    @Test
    void 'toEnv turns option names into SSM_BACKUP_ variables and drops nulls'() {
        assertEquals(['SSM_BACKUP_ENVIRONMENT=dev', 'SSM_BACKUP_SSM_HOME_REGION=ap-northeast-1', 'SSM_BACKUP_DRY_RUN=true', 'SSM_BACKUP_DURATION_SEC=5'],
                StepOptions.toEnv([environment: 'dev', ssmHomeRegion: 'ap-northeast-1', path: null, dryRun: true, durationSec: 5L]))
    }
}
