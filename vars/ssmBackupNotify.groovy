import groovy.transform.Field
import org.ssmbackup.ReportRequest
import org.ssmbackup.StepOptions

// Sends a rendered report (from ssmBackupReport) to Slack and by email (see ssmBackupNotify.txt). Never fails the build.
@Field static final Map DEFAULTS = [report: null, engineEnv: [], slackChannel: null, slackWebhookCredentialsId: null, email: null,
        emailCc: null, nodejs: null, timeoutMinutes: 5]

void call(Map args) {
    Map config = StepOptions.check('ssmBackupNotify', DEFAULTS, args, ['report'])
    if (config.problem) {
        error(config.problem)
    }
    if ((config.slackChannel || config.slackWebhookCredentialsId) && !sendWithPlugin(config)) {
        sendWithWebhook(config)
    }
    Map email = ReportRequest.emailArguments(config.report, config.email, config.emailCc)
    if (email) {
        warnOnFailure('email not sent (is the Email Extension plugin installed?)', 'WARNING') { emailext(email) }
    }
}

/** slackSend of the Slack plugin (workspace and token from its global configuration); false when it is missing or failed. */
boolean sendWithPlugin(Map config) {
    String next = config.slackWebhookCredentialsId ? "; using the webhook credential '${config.slackWebhookCredentialsId}'" : ''
    String level = config.slackWebhookCredentialsId ? 'NOTE' : 'WARNING'
    return warnOnFailure("slackSend did not send the message${next}", level) {
        slackSend(ReportRequest.slackArguments(config.report.slack, config.slackChannel))
    }
}

/** Fallback: the engine posts the same message to the incoming webhook bound from the credential (never in argv or logs). */
void sendWithWebhook(Map config) {
    if (!config.slackWebhookCredentialsId || !config.engineEnv) {
        return
    }
    warnOnFailure("Slack notification not sent (credential '${config.slackWebhookCredentialsId}')", 'WARNING') {
        Map sent = ssmBackupEngine(command: 'notify', name: 'notify-webhook', env: config.engineEnv, nodejs: config.nodejs,
                deadlineMinutes: config.timeoutMinutes, bindings: [string(credentialsId: config.slackWebhookCredentialsId, variable: 'SLACK_WEBHOOK_URL')])
        if (sent.exitCode != 0) {
            echo("WARNING: Slack notification failed: ${sent.error.message}")
        }
    }
}

/** Runs body; a failure (a missing plugin: NoSuchMethodError) is one log line, an abort is rethrown. True when body succeeded. */
boolean warnOnFailure(String what, String level, Closure body) {
    try {
        body()
        return true
    } catch (InterruptedException aborted) {
        throw aborted
    } catch (Throwable problem) {
        String why = problem instanceof NoSuchMethodError ? 'the plugin is not installed' : problem.message
        echo("${level}: ${what}: ${why}")
        return false
    }
}
