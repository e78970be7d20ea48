package org.ssmbackup

import com.cloudbees.groovy.cps.NonCPS

/**
 * The files and engine options of one ssmMultiRegionBackup build, and its deadlines (minutes). One place, so the
 * stages, the region runs and the report agree on names and limits.
 */
class BackupRun implements Serializable {
    private static final long serialVersionUID = 1L
    static final String WORK_DIR = 'ssm-backup-work'
    static final String PLAN_FILE = 'ssm-backup-work/plan.json'
    static final String SUMMARY_FILE = 'ssm-backup-work/region_summaries.json'
    /** Outcomes the summary cannot show (RegionOutcome.reportEntries), written by the step for the report. */
    static final String OUTCOMES_FILE = 'ssm-backup-work/region_outcomes.json'
    /** The agent-side deadline of a region's engine run backs up the engine's own --region-timeout by this much. */
    static final int GRACE_MINUTES = 2

    /** `ssm-backup plan` options. */
    @NonCPS
    static Map planOptions(Map config, String workspace) {
        return [environment: config.environment, ssmHomeRegion: config.ssmHomeRegion, regions: config.regions,
                outputFile: "${workspace}/${PLAN_FILE}".toString()]
    }

    /**
     * `ssm-backup backup` options of one region. Parallel branches start together, so no region runs "after" another:
     * every region is backed up (--no-fail-fast) and which regions run never depends on timing.
     */
    @NonCPS
    static Map regionOptions(Map config, String region, String workspace) {
        return [planFile: "${workspace}/${PLAN_FILE}".toString(), regions: region, summaryFile: "${workspace}/${SUMMARY_FILE}".toString(),
                workDir: "${workspace}/${WORK_DIR}".toString(), failFast: config.failFast && !config.parallel,
                regionTimeout: config.regionTimeoutMinutes * 60, dryRun: config.dryRun, includeTags: config.includeTags,
                includeLabels: config.includeLabels, path: config.path, maxShrink: config.maxShrink, allowShrink: config.allowShrink,
                allowEmpty: config.allowEmpty, requireClientEncryption: config.requireClientEncryption,
                guardAdvice: 'jenkins', requireGuard: config.requireGuard]
    }

    /** Agent-side deadline of one region's engine run: the engine's own deadline plus GRACE_MINUTES. */
    @NonCPS
    static int regionDeadlineMinutes(Map config) {
        return (config.regionTimeoutMinutes as int) + GRACE_MINUTES
    }

    /** Jenkins' timeout around all region stages: every region in turn at its deadline, plus 30 minutes. */
    @NonCPS
    static int allRegionsMinutes(Map config, int regionCount) {
        return regionCount * regionDeadlineMinutes(config) + 30
    }
}
