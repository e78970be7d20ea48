package org.ssmbackup

import com.cloudbees.groovy.cps.NonCPS

/**
 * The restore step's `archive: 'choose'`: the archive is picked by a person at run time from what `ssm-backup list
 * --output json` returns (ts/contract/archive-list.ts: {bucket, region, archives: [{key, createdAt, latest, refused,
 * parameterCount, ...}]}, newest first). Choices: `latest` first, then the newest archives (at most SHOWN) labelled
 * with their time and parameter count; refused archives (the shrink guard's) are left out and counted. Also who started
 * the run, from currentBuild.getBuildCauses() (RunWrapper, @Whitelisted in workflow-support).
 */
class ArchiveChoice implements Serializable {
    private static final long serialVersionUID = 1L
    static final String CHOOSE = 'choose'
    /** Archives offered besides `latest` (a year of daily backups does not fit a drop-down; AS_OF reaches older ones). */
    static final int SHOWN = 60

    /** Whether the step asks for the archive: `choose` without asOf (asOf picks the archive itself). */
    @NonCPS
    static boolean asks(Map config) {
        return config.archive == CHOOSE && !config.asOf
    }

    /** The archive the engine gets without asking: `latest` for `choose` with asOf (the engine then applies asOf). */
    @NonCPS
    static String resolved(Map config) {
        return config.archive == CHOOSE ? 'latest' : config.archive
    }

    /** Why the options cannot run, or null: `choose` waits for a person, which autoApprove never does. */
    @NonCPS
    static String problem(Map config) {
        if (asks(config) && config.autoApprove) {
            return "ssmMultiRegionRestore: archive: 'choose' waits for a person to pick the archive, and autoApprove never waits: " +
                    "give archive: 'latest' or an object key, or asOf"
        }
        return null
    }

    /** `ssm-backup list` options (its JSON written to outputFile). */
    @NonCPS
    static Map listOptions(Map config, String outputFile) {
        return [environment: config.environment, ssmHomeRegion: config.ssmHomeRegion, region: config.region, account: config.account,
                output: 'json', outputFile: outputFile]
    }

    /** `2026-11-28 13:00Z, 1234 parameters` */
    @NonCPS
    static String when(Map listed) {
        String at = listed.createdAt.toString().replaceAll(/^(\d{4}-\d\d-\d\d)T(\d\d:\d\d).*$/, '$1 $2Z')
        String count = listed.parameterCount == null ? '? parameters (older version)' : "${listed.parameterCount} parameters"
        return "${at}, ${count}"
    }

    /**
     * input() arguments: [message:, ok:, choices: [labels], description:]; each label starts with what the engine takes
     * (`latest` or the object key), then two spaces and the time and count. [problem:] when there is nothing to restore.
     */
    @NonCPS
    static Map of(Map listing, String region) {
        List archives = listing.archives ?: []
        List usable = []
        for (Map listed in archives) {
            if (!listed.refused) {
                usable << listed
            }
        }
        if (!usable) {
            String why = archives ? 'every archive was refused by the shrink guard' : 'the bucket holds no archive'
            return [problem: "No archive to restore in s3://${listing.bucket} (${region}): ${why}".toString()]
        }
        // Without a usable latest.txt (empty, unreadable, naming a refused archive) the archives are still offered:
        // that is when a restore is most needed.
        Map newest = usable.find { it.latest }
        List<String> labels = newest ? ["latest  (${when(newest)}: ${newest.key})".toString()] : []
        labels += usable.take(SHOWN).collect { Map listed -> "${listed.key}  (${when(listed)})".toString() }
        int refused = archives.size() - usable.size()
        int older = Math.max(0, usable.size() - SHOWN)
        String left = (newest ? '' : ' latest.txt names no archive offered here, so there is no latest choice.') +
                (refused ? " ${refused} archive(s) refused by the shrink guard are not offered." : '') +
                (older ? " ${older} older archive(s) are not shown: use AS_OF (asOf) for them." : '')
        return [message: "Which archive of ${region} (s3://${listing.bucket}) do you want to restore? Nothing is written before the plan and its approval.".toString(),
                ok: 'Plan', choices: labels, description: "Newest first.${left}".toString()]
    }

    /**
     * The archive a label names: its first word, or for the `latest` label the key it showed (latest.txt may move
     * before the plan runs: the engine restores the archive the person saw, never a newer one).
     */
    @NonCPS
    static String picked(Object label) {
        String text = label
        String first = text.split(' ')[0]
        return first == 'latest' ? text.replaceAll(/^.*: (\S+)\)$/, '$1') : first
    }

    /** `Jane Doe (jdoe)` from a UserIdCause, else the first cause's own words (`Started by timer`), else null. */
    @NonCPS
    static String startedBy(List causes) {
        Map user = (causes ?: []).find { it.userId != null || it.userName != null }
        if (user) {
            return user.userId ? "${user.userName ?: user.userId} (${user.userId})".toString() : user.userName.toString()
        }
        Map first = (causes ?: []) ? causes[0] : null
        return first?.shortDescription ? first.shortDescription.toString() : null
    }
}
