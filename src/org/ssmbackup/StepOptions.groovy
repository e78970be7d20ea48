package org.ssmbackup

import com.cloudbees.groovy.cps.NonCPS

/**
 * A step's options: checked against its defaults, coerced to the defaults' types, and handed to the engine as
 * SSM_BACKUP_* environment variables (never in a shell string). Pure, @NonCPS, sandbox-whitelisted methods only.
 */
class StepOptions implements Serializable {
    private static final long serialVersionUID = 1L

    /**
     * Checks `given` against `defaults`: unknown names and missing required ones give [problem: '...'] (one line naming
     * the option and how to fix it). Values follow the type of their default (Boolean: true/'true'; Integer: a positive
     * whole number); lists become 'a,b' unless the default is a list; strings are trimmed; null or blank keeps the default.
     */
    @NonCPS
    static Map check(String step, Map defaults, Map given, List required = ['environment']) {
        List unknown = given.keySet().findAll { !defaults.containsKey(it) }.sort()
        if (unknown) {
            return [problem: "${step}: unknown option(s) ${unknown.join(', ')}; valid options: ${defaults.keySet().join(', ')}".toString()]
        }
        Map config = [:]
        config.putAll(defaults)
        given.each { key, value -> if (value != null && value.toString().trim() != '') { config[key] = value } }
        String missing = required.find { !config[it] }
        if (missing) {
            return [problem: "${step}: option '${missing}' is required, e.g. ${step}(${missing}: params.${missing.toUpperCase()})".toString()]
        }
        for (String key in config.keySet()) {
            Object value = config[key]
            if (defaults[key] instanceof Boolean) {
                config[key] = value.toString().trim() == 'true'
            } else if (defaults[key] instanceof Integer) {
                String text = value.toString().trim()
                if (!text.isInteger() || text.toInteger() < 1) {
                    return [problem: "${step}: option '${key}' must be a positive whole number, got '${value}'".toString()]
                }
                config[key] = text.toInteger()
            } else if (value instanceof List && !(defaults[key] instanceof List)) {
                config[key] = value*.toString()*.trim().join(',')
            } else if (value instanceof CharSequence) {
                config[key] = value.toString().trim()
            }
        }
        return config
    }

    /** [dryRun: true, workDir: '/w'] -> ['SSM_BACKUP_DRY_RUN=true', 'SSM_BACKUP_WORK_DIR=/w']; null values are left out. */
    @NonCPS
    static List<String> toEnv(Map options) {
        return options.findAll { it.value != null }.collect { key, value ->
            "SSM_BACKUP_${key.toString().replaceAll(/([A-Z])/, '_$1').toUpperCase()}=${value}".toString()
        }
    }
}
