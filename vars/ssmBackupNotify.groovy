import com.cloudbees.groovy.cps.NonCPS
import groovy.transform.Field

// Sends a rendered report (from ssmBackupReport) to Slack and by email (see ssmBackupNotify.txt). Never fails the build.
@Field static final Map DEFAULTS = [report: null, engineEnv: [], slackChannel: null, slackWebhookCredentialsId: null, email: null, nodejs: null]

void call(Map args) {
    Map config = ssmBackupEngine.options('ssmBackupNotify', DEFAULTS, args, ['report'])
    if (config.problem) {
        error(config.problem)
    }
    if (config.slackChannel || config.slackWebhookCredentialsId) {
        if (!sendWithPlugin(config)) {
            sendWithWebhook(config)
        }
    }
    if (config.email) {
        sendEmail(config)
    }
}

/** slackSend of the Slack plugin (workspace and token from its global configuration); false when it is missing or failed. */
boolean sendWithPlugin(Map config) {
    Map slack = config.report.slack
    try {
        slackSend(slackArguments(slack, config.slackChannel))
        return true
    } catch (InterruptedException aborted) {
        throw aborted
    } catch (Throwable problem) {
        String why = problem instanceof NoSuchMethodError ? 'the Slack plugin is not installed' : problem.message
        String next = config.slackWebhookCredentialsId ? "; using the webhook credential '${config.slackWebhookCredentialsId}'" : ''
        echo("${config.slackWebhookCredentialsId ? 'NOTE' : 'WARNING'}: slackSend did not send the message (${why})${next}")
        return false
    }
}

/** Fallback: the engine posts the same message to the incoming webhook bound from the credential (never in argv or logs). */
void sendWithWebhook(Map config) {
    if (!config.slackWebhookCredentialsId || !config.engineEnv) {
        return
    }
    try {
        Map sent = ssmBackupEngine(command: 'notify', name: 'notify-webhook', env: config.engineEnv, nodejs: config.nodejs,
                bindings: [string(credentialsId: config.slackWebhookCredentialsId, variable: 'SLACK_WEBHOOK_URL')])
        if (sent.exitCode != 0) {
            echo("WARNING: Slack notification failed: ${sent.error.message}")
        }
    } catch (InterruptedException aborted) {
        throw aborted
    } catch (Throwable problem) {
        echo("WARNING: Slack notification not sent (credential '${config.slackWebhookCredentialsId}'): ${problem.message}")
    }
}

void sendEmail(Map config) {
    try {
        emailext(to: config.email, subject: config.report.email.subject, body: config.report.email.body, mimeType: 'text/plain')
    } catch (InterruptedException aborted) {
        throw aborted
    } catch (Throwable problem) {
        echo("WARNING: email not sent (is the Email Extension plugin installed?): ${problem.message}")
    }
}

/** [message:, attachments:, failOnError: true] plus channel when one is given (else the plugin's default channel). */
@NonCPS
Map slackArguments(Map slack, String channel) {
    Map arguments = [message: slack.text, attachments: slack.attachments ?: [], failOnError: true]
    return channel ? arguments + [channel: channel] : arguments
}
