// CodeNarc 0.23 ruleset for vars/ and jobs/ (Jenkins pipeline scripts). Run by `gradle --offline test`.
ruleset {
    ruleset('rulesets/basic.xml')
    ruleset('rulesets/braces.xml')
    ruleset('rulesets/exceptions.xml') {
        // Pipeline steps must catch everything (e.g. NoSuchMethodError for a missing plugin) to turn it into a warning.
        exclude 'CatchThrowable'
    }
    ruleset('rulesets/imports.xml')
    ruleset('rulesets/unused.xml') {
        // CodeNarc 0.23 reports every @Field of a script as an unused variable.
        exclude 'UnusedVariable'
    }
    ruleset('rulesets/unnecessary.xml') {
        exclude 'UnnecessaryGString'
        exclude 'UnnecessaryReturnKeyword'
        exclude 'UnnecessaryGetter'
    }
}
