import com.cloudbees.groovy.cps.NonCPS
import groovy.transform.Field

// Reports a run on Slack (the engine's notify command) and by email (see ssmBackupNotify.txt). Never fails the build.
@Field static final Map DEFAULTS = [result: null, summaryFile: null, summaries: [:], environment: null, dryRun: false,
        failedRegion: null, failureMessage: null, title: 'SSM backup', slackWebhookCredentialsId: null, slackChannel: null,
        email: null, nodejs: null]
@Field static final Map SUBJECT_TAGS = [SUCCESS: '[OK]', FAILURE: '[FAIL]', ABORTED: '[ABORTED]', UNSTABLE: '[UNSTABLE]']

void call(Map args) {
    Map config = ssmBackupEngine.options('ssmBackupNotify', DEFAULTS, args, ['result', 'summaryFile'])
    if (config.problem) {
        error(config.problem)
    }
    if (config.slackWebhookCredentialsId) {
        notifySlack(config)
    } else if (config.slackChannel) {
        echo('WARNING: slackChannel is set but slackWebhookCredentialsId is not, so no Slack message was sent')
    }
    if (config.email) {
        notifyEmail(config)
    }
}

void notifySlack(Map config) {
    Map options = [summaryFile: config.summaryFile, result: config.result, environment: config.environment,
            dryRun: config.dryRun, title: config.title, channel: config.slackChannel, buildUrl: env.BUILD_URL,
            jobName: env.JOB_NAME, buildNumber: env.BUILD_NUMBER, durationSec: (long) (currentBuild.duration / 1000),
            failedRegion: config.failedRegion, failureMessage: config.failureMessage]
    try {
        Map sent = ssmBackupEngine(command: 'notify', env: ssmBackupEngine.toEnv(options), nodejs: config.nodejs,
                bindings: [string(credentialsId: config.slackWebhookCredentialsId, variable: 'SLACK_WEBHOOK_URL')])
        if (sent.exitCode != 0) {
            echo("WARNING: Slack notification failed: ${sent.error.message}")
        }
    } catch (InterruptedException aborted) {
        throw aborted
    } catch (Throwable problem) {
        echo("WARNING: Slack notification not sent (credential '${config.slackWebhookCredentialsId}' or plugin missing?): ${problem.message}")
    }
}

void notifyEmail(Map config) {
    String tag = SUBJECT_TAGS[config.result] ?: "[${config.result}]"
    String subject = "${tag} ${config.title} ${config.environment ?: ''} - ${env.JOB_NAME} #${env.BUILD_NUMBER}"
    try {
        emailext(to: config.email, subject: subject, body: emailBody(config, env.BUILD_URL), mimeType: 'text/plain')
    } catch (InterruptedException aborted) {
        throw aborted
    } catch (Throwable problem) {
        echo("WARNING: email not sent (is the Email Extension plugin installed?): ${problem.message}")
    }
}

@NonCPS
String emailBody(Map config, String buildUrl) {
    List lines = ["${config.title} (${config.environment ?: '-'}${config.dryRun ? ', dry run' : ''}): ${config.result}", '']
    config.summaries.each { region, s ->
        String detail = s.failureMessage ? " - ${s.failureMessage}" : (s.artifactPath ? " ${s.artifactPath}" : '')
        lines << "${region.toString().padRight(16)} ${s.status.toString().padRight(8)} ${s.parameterCount ?: 0} parameters${detail}"
    }
    if (config.failedRegion) {
        lines << '' << "Failed region: ${config.failedRegion}: ${config.failureMessage}"
    }
    lines << '' << "Build: ${buildUrl}"
    return lines.join('\n')
}
