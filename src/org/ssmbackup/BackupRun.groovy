package org.ssmbackup

import com.cloudbees.groovy.cps.NonCPS

/**
 * The files, units and engine options of one ssmMultiRegionBackup build, and its deadlines (minutes). One place, so the
 * stages, the unit runs and the report agree on names and limits.
 *
 * A unit is what one stage backs up: a region (single-account plan), or one region of one member account (a plan with
 * `accounts`, keyed `{accountId}/{region}` as the engine's summary is). Spread runs (`parallel: true` or N >= 2) back up
 * each unit in a branch on its own `node(agentLabel)`: the plan reaches it by stash, its engine writes its own summary
 * fragment (stashed in finally) and the engine merges the fragments at Finalize (`merge-summaries`).
 */
class BackupRun implements Serializable {
    private static final long serialVersionUID = 1L
    static final String WORK_DIR = 'ssm-backup-work'
    static final String PLAN_FILE = 'ssm-backup-work/plan.json'
    static final String SUMMARY_FILE = 'ssm-backup-work/region_summaries.json'
    /** Outcomes the summary cannot show (RegionOutcome.reportEntries), written by the step for the report. */
    static final String OUTCOMES_FILE = 'ssm-backup-work/region_outcomes.json'
    /** Each branch's own summary entries (backup --summary-fragment), one file per unit. */
    static final String FRAGMENT_DIR = 'ssm-backup-work/fragments'
    /** A branch's own --summary-file: only the fragments handed to it (BackupRun.handed), merged by the engine. */
    static final String HANDED_DIR = 'ssm-backup-work/handed'
    static final String PLAN_STASH = 'ssm-backup-plan'
    /** The agent-side deadline of a region's engine run backs up the engine's own --region-timeout by this much. */
    static final int GRACE_MINUTES = 2

    /** `ssm-backup plan` options. */
    @NonCPS
    static Map planOptions(Map config, String workspace) {
        return [environment: config.environment, ssmHomeRegion: config.ssmHomeRegion, regions: config.regions,
                outputFile: "${workspace}/${PLAN_FILE}".toString()]
    }

    /**
     * The `parallel` option as a number of branches: 1 in turn (false, '1'), every unit at once (true: 0 here, see
     * slots), or N; null when it is none of these.
     */
    @NonCPS
    static Integer parallelism(Object parallel) {
        String text = parallel.toString().trim()
        if (text == 'false') {
            return 1
        }
        if (text == 'true') {
            return 0
        }
        return text.isInteger() && text.toInteger() >= 1 ? text.toInteger() : null
    }

    /** Branches that back up units at the same time: 1 (in turn), else at most one per unit. */
    @NonCPS
    static int slots(Map config, int units) {
        int wanted = parallelism(config.parallel) ?: units
        return Math.max(1, Math.min(wanted, units))
    }

    /** True when the units run as branches, each on its own node(agentLabel), handing results by stash. */
    @NonCPS
    static boolean spread(Map config) {
        return parallelism(config.parallel) != 1
    }

    /**
     * The units of a plan (the engine's `plan --output-file`): [keys: [...], stages: {key: stage name}, accounts: {key:
     * accountId}, regions: {key: region}, homeRegion:]. Multi-account stages read `Backup <alias or accountId> <region>`.
     */
    @NonCPS
    static Map units(Map plan) {
        Map run = [keys: [], stages: [:], accounts: [:], regions: [:], homeRegion: plan.homeRegion]
        if (plan.accounts == null) {
            for (String region in (plan.regions ?: [])) {
                run.keys << region
                run.stages[region] = "Backup ${region}".toString()
                run.regions[region] = region
            }
            return run
        }
        Map names = [:]
        for (Map account in (plan.accounts as List<Map>)) {
            names[account.accountId] = account.alias ?: account.accountId
        }
        for (String key in (plan.units ?: [])) {
            String[] parts = key.split('/')
            String accountId = parts[0], region = parts[1]
            run.keys << key
            run.stages[key] = "Backup ${names[accountId] ?: accountId} ${region}".toString()
            run.accounts[key] = accountId
            run.regions[key] = region
        }
        return run
    }

    /**
     * The summary files of one unit's engine run (workspace paths): [summary: --summary-file, fragment: --summary-fragment
     * or null]. In turn, the one summary file, from which the engine decides fail-fast (a multi-account unit also writes
     * a fragment: the engine then keeps the other units' entries). In a branch, a file of its own holding only the
     * fragments handed to it, so the engine decides from them and never from what another running branch wrote.
     */
    @NonCPS
    static Map unitFiles(Map units, String key, boolean branch) {
        String name = key.replace('/', '_')
        if (branch) {
            return [summary: "${HANDED_DIR}/${name}.json".toString(), fragment: fragmentFile(key)]
        }
        return [summary: SUMMARY_FILE, fragment: units.accounts?.get(key) ? fragmentFile(key) : null]
    }

    /**
     * `ssm-backup backup` options of one unit (units: BackupRun.units of the plan; files: unitFiles). Every unit is handed
     * the build's plan file (stashed to branches on other agents); a multi-account unit names its account, whose plan the
     * engine takes from that file without reading the account's configuration again.
     */
    @NonCPS
    static Map unitOptions(Map config, Map units, String key, String workspace, Map files) {
        String accountId = units.accounts?.get(key)
        Map options = [planFile: "${workspace}/${PLAN_FILE}".toString(), accounts: accountId]
        return options + [regions: units.regions?.get(key) ?: key, summaryFile: "${workspace}/${files.summary}".toString(),
                summaryFragment: files.fragment ? "${workspace}/${files.fragment}".toString() : null, workDir: "${workspace}/${WORK_DIR}".toString(),
                failFast: config.failFast, regionTimeout: config.regionTimeoutMinutes * 60, dryRun: config.dryRun,
                includeTags: config.includeTags, includeLabels: config.includeLabels, path: config.path, maxShrink: config.maxShrink,
                allowShrink: config.allowShrink, allowEmpty: config.allowEmpty, requireClientEncryption: config.requireClientEncryption,
                guardAdvice: 'jenkins', requireGuard: config.requireGuard]
    }

    /** The single-account options of one region (a run with no accounts and no fragment). */
    @NonCPS
    static Map regionOptions(Map config, String region, String workspace) {
        return unitOptions(config, [:], region, workspace, unitFiles([:], region, false))
    }

    /** Workspace path of a unit's summary fragment: `ssm-backup-work/fragments/111111111111_us-west-2.json`. */
    @NonCPS
    static String fragmentFile(String key) {
        return "${FRAGMENT_DIR}/${key.replace('/', '_')}.json".toString()
    }

    /** Stash name of a unit's fragment (its position in the plan: stash names stay plain). */
    @NonCPS
    static String fragmentStash(List keys, String key) {
        return "ssm-backup-fragment-${keys.indexOf(key)}".toString()
    }

    /**
     * The units a branch taken now is handed (their fragments merged into its --summary-file): with failFast, those whose
     * outcome the engine recorded FAILED or TIMED_OUT; none without failFast (every unit runs).
     */
    @NonCPS
    static List<String> handed(Map config, Map outcomes) {
        if (!config.failFast) {
            return []
        }
        return outcomes.findAll { it.value.recorded && it.value.status in ['FAILED', 'TIMED_OUT'] }.collect { it.key as String }
    }

    /** Agent-side deadline of one region's engine run: the engine's own deadline plus GRACE_MINUTES. */
    @NonCPS
    static int regionDeadlineMinutes(Map config) {
        return (config.regionTimeoutMinutes as int) + GRACE_MINUTES
    }

    /** Jenkins' timeout around all unit stages: each branch's share of units in turn at their deadline, plus 30 minutes. */
    @NonCPS
    static int allRegionsMinutes(Map config, int regionCount) {
        int slots = slots(config, regionCount)
        return (Math.ceil((double) regionCount / slots) as int) * regionDeadlineMinutes(config) + 30
    }
}
