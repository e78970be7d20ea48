package org.ssmbackup

import com.cloudbees.groovy.cps.NonCPS

/**
 * What a restore will write, read from the engine's restore_summary.json (the engine owns "what a restore writes":
 * `writeCount` = planned.create + planned.update + planned.delete, the writes --apply makes). The restore step applies
 * only when writeCount > 0 and shows every planned write, deletions included, in the plan text and the approval prompt.
 */
class RestorePlan implements Serializable {
    private static final long serialVersionUID = 1L
    /** Plan lines shown in the console; the rest are in the archived summary file. */
    static final int SHOWN = 200

    /**
     * [writes: int] from the summary's writeCount, or [problem: '...'] when the engine did not write it, or the plan names
     * no archive (the apply restores exactly that archive: applyConfig).
     */
    @NonCPS
    static Map writes(Map summary) {
        Object count = summary?.writeCount
        if (!(count instanceof Number) || count < 0) {
            String got = count == null ? 'nothing' : "'${count}'"
            String problem = "restore_summary.json has no writeCount (got ${got}): the engine bundle and the library ship together; " +
                    'use the resources/ of this library version'
            return [problem: problem]
        }
        if (!summary.archive?.key) {
            return [problem: 'restore_summary.json names no archive (archive.key): the plan cannot be applied as approved; run the job again']
        }
        return [writes: count as int]
    }

    /** `create=1 update=0 delete=2 unchanged=5 differs-not-overwritten=1` */
    @NonCPS
    static String counts(Map summary) {
        Map c = summary.counts ?: [:]
        int deletes = c.delete != null ? c.delete as int : ((summary.planned?.delete ?: []) as List).size()
        return "create=${c.create ?: 0} update=${c.update ?: 0} delete=${deletes} unchanged=${c.unchanged ?: 0} " +
                "differs-not-overwritten=${c.differs ?: 0}"
    }

    /**
     * The step's checked options (StepOptions.check) made ready to run: a `problem` when archive: 'choose' meets
     * autoApprove (ArchiveChoice.problem), and `startedBy` from currentBuild.getBuildCauses() (for notify --started-by).
     */
    @NonCPS
    static Map config(Map checked, List causes) {
        String problem = checked.problem ?: ArchiveChoice.problem(checked)
        return problem ? [problem: problem] : checked + [startedBy: ArchiveChoice.startedBy(causes)]
    }

    /** ` account 111111111111` when the summary names one (multi-account restores), else empty. */
    @NonCPS
    static String accountOf(Object accountId) {
        return accountId ? " account ${accountId}" : ''
    }

    /** `us-west-2` or, in a multi-account restore, `account 111111111111 us-west-2` (the target's). */
    @NonCPS
    static String target(Map summary) {
        return summary.targetAccountId ? "account ${summary.targetAccountId} ${summary.targetRegion}".toString() : "${summary.targetRegion}".toString()
    }

    /** input() arguments: `Restore into <target>: <counts>? Deletes N parameter(s).`; submitter when approvers are given. */
    @NonCPS
    static Map approval(Map summary, String approvers) {
        int deletes = ((summary.planned?.delete ?: []) as List).size()
        String deleting = deletes ? " It DELETES ${deletes} parameter(s): see the plan above." : ''
        Map spec = [message: "Restore into ${target(summary)}: ${counts(summary)}?${deleting}".toString(), ok: 'Restore']
        return approvers ? spec + [submitter: approvers] : spec
    }

    /** The plan in the console: a heading, then `create`, `update`, `delete` and `skip` lines (at most SHOWN). */
    @NonCPS
    static String text(Map summary, String summaryFile) {
        Map planned = summary.planned ?: [:]
        Map differs = planned.differs ?: [:]
        List update = planned.update ?: []
        List<String> lines = ["Restore plan: ${summary.archive?.key} (${summary.archive?.verified ? 'verified' : 'UNVERIFIED legacy backup.json'}) " +
                "from${accountOf(summary.sourceAccountId)} ${summary.sourceRegion} into${accountOf(summary.targetAccountId)} ${summary.targetRegion}: " +
                "${counts(summary)}".toString()]
        lines += (planned.create ?: []).collect { "  create  ${it}".toString() }
        lines += update.collect { "  update  ${it}  ${differs[it]}".toString() }
        lines += (planned.delete ?: []).collect { "  delete  ${it}".toString() }
        lines += differs.findAll { !(it.key in update) }.collect { "  skip    ${it.key}  ${it.value} (differs; overwrite updates it)".toString() }
        int more = lines.size() - SHOWN - 1
        return (more > 0 ? lines.take(SHOWN + 1) + ["  ... and ${more} more (see ${summaryFile})".toString()] : lines).join('\n')
    }

    /**
     * The options of the apply: the archive the approved plan read (the summary's archive.key, which writes() requires),
     * never `latest` or asOf resolved a second time. A backup finishing (or latest.txt moved) between plan and apply would
     * otherwise make the apply write, and with prune delete, from an archive nobody approved.
     */
    @NonCPS
    static Map applyConfig(Map config, Map summary) {
        return config + [archive: summary.archive.key.toString(), asOf: null]
    }

    /** `ssm-backup restore` options of the step's config (--apply when apply). */
    @NonCPS
    static Map engineOptions(Map config, String summaryFile, boolean apply) {
        return [environment: config.environment, ssmHomeRegion: config.ssmHomeRegion, region: config.region, archive: config.archive,
                targetRegion: config.targetRegion, path: config.path, names: config.names, overwrite: config.overwrite,
                kmsKeyMap: config.kmsKeyMap, exactTags: config.exactTags, prune: config.prune, asOf: config.asOf,
                allowUnencryptedArchive: config.allowUnencryptedArchive, putRate: config.putRate, account: config.account,
                targetAccount: config.targetAccount, summaryFile: summaryFile, apply: apply]
    }

    /**
     * Why a plan or apply failed, or null: the engine's exit code is not 0 (its message, or the agent-side deadline), or
     * a plan has no writeCount. [lines: `FAILED <name>: <error>` for the console (`no parameter failed` when none),
     * message: `Restore apply failed: <why>`, telling to run again when some parameters failed].
     */
    @NonCPS
    static Map failure(Map engine, Map summary, boolean apply, int minutes) {
        String what = apply ? 'apply' : 'plan'
        String problem = engine.exitCode == 0 && !apply ? writes(summary).problem : null
        if (engine.exitCode == 0 && !problem) {
            return null
        }
        List failed = summary.failed ?: []
        String why = problem ?: (engine.exitCode in RegionOutcome.AGENT_DEADLINE_EXITS ?
                "stopped at its ${minutes}-minute deadline (${what}TimeoutMinutes)" : engine.error?.message)
        return [lines: failed ? failed.collect { "FAILED ${it.name}: ${it.error}" }.join('\n') : 'no parameter failed',
                message: "Restore ${what} failed: ${why}${failed ? ' (run the job again to finish the rest)' : ''}".toString()]
    }
}
